/**
 * Sign in, register (citizen or SME organisation), sign out; confirm the address, change or
 * reset the password. Mailed links land here: `#verify=TOKEN` confirms the address and signs in,
 * `#reset=TOKEN` shows the form to choose a new password. Roles decide which tabs show.
 */
import type { AccountType, User } from '../api'
import { errorText, type AppContext } from './context'
import { field, h } from './dom'
import { store } from './store'

const TOKEN = /^[A-Za-z0-9_-]{10,100}$/

/** Fills a host element below the signed-in account (notifications and e-mail settings, issue
 * 14: `installEngagement` mounts its Preact view there). */
let accountExtras: ((host: HTMLElement) => void) | undefined
export function setAccountExtras(fill: ((host: HTMLElement) => void) | undefined) {
  accountExtras = fill
}

const input = (obj: Record<string, unknown>, key: string, attrs: Record<string, unknown>) =>
  h('input', { ...attrs, value: String(obj[key] ?? ''), oninput: (e: Event) => (obj[key] = (e.target as HTMLInputElement).value) })

/** The token of a mailed link in the URL hash (`#verify=…` or `#reset=…`), if any. */
export function linkToken(hash: string, kind: 'verify' | 'reset'): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get(kind)
  return token && TOKEN.test(token) ? token : undefined
}

export class AccountPanel {
  private error?: string
  /** what happened last, when it is not an error (mail sent, password changed…) */
  private notice?: string
  private signIn = { email: '', password: '' }
  private reg = { email: '', name: '', password: '', type: 'citizen' as AccountType, org: '', consent: false }
  private forgot?: { email: string }
  private reset?: { token: string; password: string }
  private change = { current: '', next: '' }

  constructor(private readonly ctx: AppContext) {
    const reset = linkToken(location.hash, 'reset')
    if (reset) {
      this.reset = { token: reset, password: '' }
      // the app is still being built (its status line too): tell once it stands
      setTimeout(() => this.ctx.announce(this.ctx.i18n.t('account.resetOpen')), 0)
    }
    const verify = linkToken(location.hash, 'verify')
    if (verify) void this.verify(verify)
  }

  private async verify(token: string) {
    const { t } = this.ctx.i18n
    try {
      await this.ctx.api.verifyEmail(token)
      // the app's own first "who am I" went out without the new cookie: ask again after it
      const user = await this.ctx.api.me()
      this.notice = t('account.verified')
      this.ctx.setUser(user)
      this.ctx.announce(t('account.verified'))
    } catch (err) {
      this.error = errorText(err)
      this.ctx.announce(t('account.failed', { detail: this.error }))
      this.ctx.refresh()
    }
  }

  /** Run a step that answers with a sentence for the user (mail sent, password changed). */
  private async step(action: () => Promise<string>) {
    try {
      this.notice = await action()
      this.error = undefined
      this.ctx.announce(this.notice)
    } catch (err) {
      this.error = errorText(err)
      this.notice = undefined
    }
    this.ctx.refresh()
  }

  private messages(): (HTMLElement | null)[] {
    const { t } = this.ctx.i18n
    return [
      this.error ? h('p', { class: 'error', role: 'alert' }, t('account.failed', { detail: this.error })) : null,
      this.notice ? h('p', { class: 'notice', role: 'status' }, this.notice) : null,
    ]
  }

  private extras(): HTMLElement {
    const host = h('div', { class: 'account-extras' })
    accountExtras?.(host)
    return host
  }

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
        ...this.messages(),
        user.email_verified
          ? null
          : h(
              'p',
              { class: 'notice' },
              t('account.unverified'),
              ' ',
              h(
                'button',
                { type: 'button', id: 'resend-verification', onclick: () => void this.step(async () => (await this.ctx.api.resendVerification()).detail) },
                t('account.resend'),
              ),
            ),
        h('button', { type: 'button', id: 'sign-out', onclick: () => void this.signOut() }, t('account.signOut')),
        this.extras(),
        h(
          'form',
          {
            'aria-labelledby': 'password-h',
            onsubmit: (e: Event) => {
              e.preventDefault()
              void this.step(async () => {
                const done = await this.ctx.api.changePassword(this.change.current, this.change.next)
                this.change = { current: '', next: '' }
                return t('account.passwordChanged', { count: done.sessions_ended })
              })
            },
          },
          h('h3', { id: 'password-h' }, t('account.changePassword')),
          field(t('account.currentPassword'), input(this.change, 'current', { type: 'password', id: 'current-password', autocomplete: 'current-password', required: true })),
          field(
            t('account.newPassword'),
            input(this.change, 'next', { type: 'password', id: 'new-password', autocomplete: 'new-password', required: true, minlength: '10' }),
            t('account.passwordHint'),
          ),
          h('button', { type: 'submit' }, t('account.changePassword')),
        ),
      )
    }
    const r = this.reg
    return h(
      'section',
      { 'aria-labelledby': 'account-h' },
      h('h2', { id: 'account-h' }, t('account.heading')),
      ...this.messages(),
      this.reset ? this.resetForm(this.reset) : null,
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
        ' ',
        h(
          'button',
          {
            type: 'button',
            id: 'forgot-password',
            'aria-expanded': this.forgot ? 'true' : 'false',
            onclick: () => {
              this.forgot = this.forgot ? undefined : { email: this.signIn.email }
              this.ctx.refresh()
            },
          },
          t('account.forgot'),
        ),
      ),
      this.forgot ? this.forgotForm(this.forgot) : null,
      h(
        'form',
        {
          'aria-labelledby': 'register-h',
          onsubmit: (e: Event) => {
            e.preventDefault()
            void this.step(async () => {
              await this.ctx.api.register({
                email: r.email,
                password: r.password,
                display_name: r.name,
                account_type: r.type,
                organisation_name: r.type === 'sme' ? r.org : null,
                locale: this.ctx.i18n.locale,
                accept_terms: r.consent,
              })
              const sent = t('account.checkMail', { email: r.email })
              this.reg = { email: '', name: '', password: '', type: 'citizen', org: '', consent: false }
              return sent
            })
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
        field(t('account.displayName'), input(r, 'name', { type: 'text', name: 'display_name', id: 'register-name', autocomplete: 'nickname', required: true, maxlength: store.vocab.value?.limits.display_name_max_length })),
        r.type === 'sme'
          ? field(t('account.organisation'), input(r, 'org', { type: 'text', name: 'organisation_name', id: 'register-org', autocomplete: 'organization', required: true, maxlength: store.vocab.value?.limits.organisation_name_max_length }))
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

  private forgotForm(forgot: { email: string }): HTMLElement {
    const { t } = this.ctx.i18n
    return h(
      'form',
      {
        'aria-labelledby': 'forgot-h',
        onsubmit: (e: Event) => {
          e.preventDefault()
          void this.step(async () => {
            const done = await this.ctx.api.requestPasswordReset(forgot.email)
            this.forgot = undefined
            return done.detail
          })
        },
      },
      h('h3', { id: 'forgot-h' }, t('account.forgotHeading')),
      field(t('account.email'), input(forgot, 'email', { type: 'email', id: 'forgot-email', autocomplete: 'username', required: true })),
      h('button', { type: 'submit' }, t('account.sendReset')),
    )
  }

  private resetForm(reset: { token: string; password: string }): HTMLElement {
    const { t } = this.ctx.i18n
    return h(
      'form',
      {
        'aria-labelledby': 'reset-h',
        onsubmit: (e: Event) => {
          e.preventDefault()
          void this.step(async () => {
            await this.ctx.api.resetPassword(reset.token, reset.password)
            this.reset = undefined
            return t('account.resetDone')
          })
        },
      },
      h('h3', { id: 'reset-h' }, t('account.resetHeading')),
      field(
        t('account.newPassword'),
        input(reset, 'password', { type: 'password', id: 'reset-password', autocomplete: 'new-password', required: true, minlength: '10' }),
        t('account.passwordHint'),
      ),
      h('button', { type: 'submit', class: 'primary' }, t('account.resetSubmit')),
    )
  }

  private async run(action: () => Promise<User>) {
    try {
      const user = await action()
      this.error = undefined
      this.notice = undefined
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
    this.notice = undefined
    await this.ctx.api.signOut().catch(() => undefined)
    this.ctx.setUser(undefined)
    this.ctx.announce(this.ctx.i18n.t('account.signedOut'))
  }
}
