// @vitest-environment happy-dom
import { h, render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { I18n } from '../i18n'
import { SignInPrompt } from './signin'
import { store } from './store'
import { fakeServer, settle, testContext } from './testing'

describe('sign-in prompt', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  it('says why and links to the Account tab, in the language chosen', async () => {
    const ctx = testContext(fakeServer({}).api)
    render(h(SignInPrompt, { ctx }), host)
    const link = host.querySelector<HTMLAnchorElement>('.sign-in-prompt a')!
    expect(host.textContent).toBe(`${ctx.i18n.t('app.signInToUse')} ${ctx.i18n.t('app.signInLink')}`)
    link.click()
    expect(store.tab.value).toBe('account')
    ctx.i18n.set('it')
    store.locale.value = 'it'
    await settle()
    expect(host.querySelector('.sign-in-prompt a')).toBe(link)
    expect(link.textContent).toBe(ctx.i18n.t('app.signInLink'))
    expect(link.textContent).not.toBe(new I18n('en').t('app.signInLink'))
  })
})
