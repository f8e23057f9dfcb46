// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { AccountPanel, linkToken, setAccountExtras } from './account'
import { store } from './store'
import { componentsRendered, fakeServer, settle, testContext, user, type Routes } from './testing'

describe('mailed links', () => {
  it('reads the token of a verify or reset link from the hash', () => {
    expect(linkToken('#verify=x4Jc0v9Lr7mT2bWkP8sYd4NfH6gC1zEaRuK5oV_iMwQ', 'verify')).toBe('x4Jc0v9Lr7mT2bWkP8sYd4NfH6gC1zEaRuK5oV_iMwQ')
    expect(linkToken('reset=abcdefghij-_0123', 'reset')).toBe('abcdefghij-_0123')
    expect(linkToken('#verify=abcdefghijklmno', 'reset')).toBeUndefined()
  })

  it('ignores anything that is not a token', () => {
    expect(linkToken('#verify=short', 'verify')).toBeUndefined()
    expect(linkToken('#verify=<script>alert(1)</script>', 'verify')).toBeUndefined()
    expect(linkToken('#proposal=12', 'verify')).toBeUndefined()
    expect(linkToken('', 'reset')).toBeUndefined()
  })
})

function type(el: HTMLInputElement, value: string) {
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

describe('account panel', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => {
    render(null, host)
    setAccountExtras(undefined)
  })

  function setup(routes: Routes, who?: ReturnType<typeof user>) {
    const server = fakeServer(routes)
    const ctx = testContext(server.api, who)
    const panel = new AccountPanel(ctx)
    render(panel.render(), host)
    return { panel, ctx, server }
  }
  const $ = <T extends Element = HTMLInputElement>(sel: string) => host.querySelector<T>(sel)!

  it('signs in with what was typed; typing renders no component, the view then follows the store', async () => {
    const ada = { ...user(['citizen'], 4), display_name: 'Ada' }
    const { ctx, server } = setup({ 'POST /api/v1/auth/login': () => ada })
    const email = $('#signin-email')
    expect(await componentsRendered(() => type(email, 'ada@example.org'))).toEqual([])
    type($('#signin-password'), 'correct horse battery')
    expect($('#signin-email')).toBe(email)
    $<HTMLFormElement>('form[aria-labelledby="signin-h"]').requestSubmit()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v1/auth/login', body: { email: 'ada@example.org', password: 'correct horse battery' } })
    expect(store.user.value?.id).toBe(4)
    expect(ctx.announced).toContain(ctx.i18n.t('account.signedInAs', { name: 'Ada' }))
    expect(host.textContent).toContain(ctx.i18n.t('account.signedInAs', { name: 'Ada' }))
    expect(host.querySelector('#signin-email')).toBeNull()
  })

  it("shows the server's reason when sign-in fails, and keeps the typed address", async () => {
    const { ctx } = setup({ 'POST /api/v1/auth/login': () => [401, { detail: 'Wrong e-mail or password', code: 'InvalidCredentials' }] })
    type($('#signin-email'), 'ada@example.org')
    type($('#signin-password'), 'wrong password')
    $<HTMLFormElement>('form[aria-labelledby="signin-h"]').requestSubmit()
    await settle()
    const alert = $<HTMLElement>('[role=alert]')
    expect(alert.textContent).toBe(ctx.i18n.t('account.failed', { detail: 'Wrong e-mail or password' }))
    expect($('#signin-email').value).toBe('ada@example.org')
    expect(store.user.value).toBeUndefined()
  })

  it('registers an SME: choosing SME adds the organisation field, the typed fields keep their nodes; all are cleared after', async () => {
    const { ctx, server } = setup({ 'POST /api/v1/auth/register': () => [202, { detail: 'Check your mail' }] })
    const email = $('#register-email')
    type(email, 'shop@example.org')
    type($('#register-name'), 'Bea')
    expect(host.querySelector('#register-org')).toBeNull()
    // only the register form renders again, not the panel
    expect(await componentsRendered(() => $('#register-type-sme').click())).toEqual(['RegisterForm'])
    expect($('#register-email')).toBe(email)
    expect(email.value).toBe('shop@example.org')
    type($('#register-org'), 'Bea Builders Ltd')
    type($('#register-password'), 'a long enough secret')
    $('#register-consent').click()
    $<HTMLFormElement>('form[aria-labelledby="register-h"]').requestSubmit()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({
      path: '/api/v1/auth/register',
      body: { email: 'shop@example.org', display_name: 'Bea', account_type: 'sme', organisation_name: 'Bea Builders Ltd', password: 'a long enough secret', accept_terms: true, locale: 'en' },
    })
    expect($('[role=status]').textContent).toBe(ctx.i18n.t('account.checkMail', { email: 'shop@example.org' }))
    expect(email.value).toBe('')
    expect($('#register-consent').checked).toBe(false)
    expect(host.querySelector('#register-org')).toBeNull()
  })

  it('opens the forgot-password form with the typed address and sends the reset', async () => {
    const { server } = setup({ 'POST /api/v1/auth/password-reset': () => [202, { detail: 'If the address is known, a link is on its way' }] })
    type($('#signin-email'), 'ada@example.org')
    const toggle = $<HTMLButtonElement>('#forgot-password')
    toggle.click()
    await settle()
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    expect($('#forgot-email').value).toBe('ada@example.org')
    $<HTMLFormElement>('form[aria-labelledby="forgot-h"]').requestSubmit()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ path: '/api/v1/auth/password-reset', body: { email: 'ada@example.org' } })
    expect(host.querySelector('#forgot-email')).toBeNull()
    expect($('[role=status]').textContent).toBe('If the address is known, a link is on its way')
  })

  it('signed in: the extras are mounted once however often the panel renders; a password change clears both fields', async () => {
    let fills = 0
    setAccountExtras((el) => {
      fills += 1
      el.textContent = 'notifications here'
    })
    const { ctx, server } = setup({ 'POST /api/v1/users/me/password': () => ({ sessions_ended: 2 }) }, user(['citizen']))
    await settle()
    expect(host.querySelector('.account-extras')!.textContent).toBe('notifications here')
    type($('#current-password'), 'old secret 123')
    type($('#new-password'), 'new secret 456')
    $<HTMLFormElement>('form[aria-labelledby="password-h"]').requestSubmit()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ path: '/api/v1/users/me/password', body: { current_password: 'old secret 123', new_password: 'new secret 456' } })
    expect(ctx.announced).toContain(ctx.i18n.t('account.passwordChanged', { count: 2 }))
    expect($('#current-password').value).toBe('')
    expect($('#new-password').value).toBe('')
    store.locale.value = 'it'
    await settle()
    expect(fills).toBe(1)
    expect(host.querySelector('.account-extras')!.textContent).toBe('notifications here')
  })
})
