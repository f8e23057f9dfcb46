/** Sign in, register (citizen or SME organisation), sign out. Roles decide which tabs show. */
import type { AccountType, User } from '../api'
import { errorText, type AppContext } from './context'
import { field, h } from './dom'

export class AccountPanel {
  private error?: string
  private signIn = { email: '', password: '' }
  private reg = { email: '', name: '', password: '', type: 'citizen' as AccountType, org: '', consent: false }

  constructor(private readonly ctx: AppContext) {}

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    const user = this.ctx.user
    if (user) {
      return h(
        'section',
        { 'aria-labelledby': 'account-h' },
        h('h2', { id: 'account-h' }, t('account.heading')),
        h('p', {}, t('account.signedInAs', { name: user.display_name })),
        h('p', {}, t('account.roles', { roles: user.roles.map((r) => t(`role.${r}`)).join(', ') })),
        h('button', { type: 'button', id: 'sign-out', onclick: () => void this.signOut() }, t('account.signOut')),
      )
    }
    const input = (obj: Record<string, unknown>, key: string, attrs: Record<string, unknown>) =>
      h('input', { ...attrs, value: String(obj[key] ?? ''), oninput: (e: Event) => (obj[key] = (e.target as HTMLInputElement).value) })
    const r = this.reg
    return h(
      'section',
      { 'aria-labelledby': 'account-h' },
      h('h2', { id: 'account-h' }, t('account.heading')),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('account.failed', { detail: this.error })) : null,
      h(
        'form',
        {
          'aria-labelledby': 'signin-h',
          onsubmit: (e: Event) => {
            e.preventDefault()
            void this.run(() => this.ctx.api.signIn(this.signIn.email, this.signIn.password))
          },
        },
        h('h3', { id: 'signin-h' }, t('account.signIn')),
        field(t('account.email'), input(this.signIn, 'email', { type: 'email', name: 'email', id: 'signin-email', autocomplete: 'username', required: true })),
        field(t('account.password'), input(this.signIn, 'password', { type: 'password', name: 'password', id: 'signin-password', autocomplete: 'current-password', required: true })),
        h('button', { type: 'submit', class: 'primary' }, t('account.signIn')),
      ),
      h(
        'form',
        {
          'aria-labelledby': 'register-h',
          onsubmit: (e: Event) => {
            e.preventDefault()
            void this.run(() =>
              this.ctx.api.register({
                email: r.email,
                password: r.password,
                display_name: r.name,
                account_type: r.type,
                organisation_name: r.type === 'sme' ? r.org : null,
                locale: this.ctx.i18n.locale,
                accept_terms: r.consent,
              }),
            )
          },
        },
        h('h3', { id: 'register-h' }, t('account.register')),
        h(
          'fieldset',
          { class: 'segmented' },
          h('legend', {}, t('account.type')),
          (['citizen', 'sme'] as const).map((k) =>
            h(
              'span',
              {},
              h('input', {
                type: 'radio',
                name: 'account-type',
                id: `register-type-${k}`,
                value: k,
                checked: r.type === k,
                onchange: () => {
                  r.type = k
                  this.ctx.refresh()
                },
              }),
              h('label', { for: `register-type-${k}` }, t(`account.type.${k}`)),
            ),
          ),
        ),
        field(t('account.email'), input(r, 'email', { type: 'email', name: 'email', id: 'register-email', autocomplete: 'email', required: true })),
        field(t('account.displayName'), input(r, 'name', { type: 'text', name: 'display_name', id: 'register-name', autocomplete: 'nickname', required: true, maxlength: '80' })),
        r.type === 'sme'
          ? field(t('account.organisation'), input(r, 'org', { type: 'text', name: 'organisation_name', id: 'register-org', autocomplete: 'organization', required: true, maxlength: '200' }))
          : null,
        field(
          t('account.password'),
          input(r, 'password', { type: 'password', name: 'password', id: 'register-password', autocomplete: 'new-password', required: true, minlength: '10' }),
          t('account.passwordHint'),
        ),
        h(
          'div',
          { class: 'check' },
          h('input', { type: 'checkbox', id: 'register-consent', required: true, checked: r.consent, onchange: (e: Event) => (r.consent = (e.target as HTMLInputElement).checked) }),
          h('label', { for: 'register-consent' }, t('account.consent')),
        ),
        h('button', { type: 'submit' }, t('account.register')),
      ),
    )
  }

  private async run(action: () => Promise<User>) {
    try {
      const user = await action()
      this.error = undefined
      this.signIn.password = ''
      this.reg.password = ''
      this.ctx.setUser(user)
      this.ctx.announce(this.ctx.i18n.t('account.signedInAs', { name: user.display_name }))
    } catch (err) {
      this.error = errorText(err)
      this.ctx.refresh()
    }
  }

  private async signOut() {
    await this.ctx.api.signOut().catch(() => undefined)
    this.ctx.setUser(undefined)
    this.ctx.announce(this.ctx.i18n.t('account.signedOut'))
  }
}
