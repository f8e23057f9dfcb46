/** Sign in, register, sign out. */
import { errorText, type AppContext } from './context'
import { field, h } from './dom'

export class AccountPanel {
  private error?: string
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
        h('button', { type: 'button', onclick: () => void this.signOut() }, t('account.signOut')),
      )
    }
    const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true })
    const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true })
    const rEmail = h('input', { type: 'email', name: 'email', autocomplete: 'email', required: true })
    const rName = h('input', { type: 'text', name: 'display_name', autocomplete: 'nickname', required: true, maxlength: '80' })
    const rPassword = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', required: true, minlength: '10' })
    const consent = h('input', { type: 'checkbox', id: 'register-consent', required: true })
    return h(
      'section',
      { 'aria-labelledby': 'account-h' },
      h('h2', { id: 'account-h' }, t('account.heading')),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('account.failed', { detail: this.error })) : null,
      h(
        'form',
        { 'aria-labelledby': 'signin-h', onsubmit: (e: Event) => { e.preventDefault(); void this.run(() => this.ctx.api.signIn(email.value, password.value)) } },
        h('h3', { id: 'signin-h' }, t('account.signIn')),
        field(t('account.email'), email),
        field(t('account.password'), password),
        h('button', { type: 'submit', class: 'primary' }, t('account.signIn')),
      ),
      h(
        'form',
        {
          'aria-labelledby': 'register-h',
          onsubmit: (e: Event) => {
            e.preventDefault()
            void this.run(() => this.ctx.api.register({ email: rEmail.value, password: rPassword.value, display_name: rName.value, consent: consent.checked }))
          },
        },
        h('h3', { id: 'register-h' }, t('account.register')),
        field(t('account.email'), rEmail),
        field(t('account.displayName'), rName),
        field(t('account.password'), rPassword, t('account.passwordHint')),
        h('div', { class: 'check' }, consent, h('label', { for: 'register-consent' }, t('account.consent'))),
        h('button', { type: 'submit' }, t('account.register')),
      ),
    )
  }

  private async run(action: () => Promise<import('../api').User>) {
    try {
      const user = await action()
      this.error = undefined
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
