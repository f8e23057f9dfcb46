/**
 * Sign in, register (citizen or SME organisation), sign out; confirm the address, change or
 * reset the password. Mailed links land here: `#verify=TOKEN` confirms the address and signs in,
 * `#reset=TOKEN` shows the form to choose a new password. Roles decide which tabs show.
 *
 * A Preact panel (README.md): the typed text lives in signals bound straight to the fields'
 * `value` (a keystroke updates that one field and re-renders no component); what changes the
 * panel's shape (the account type, the forgot/reset forms, a message) is read while rendering.
 */
import { signal, type Signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'
import type { AccountType, User } from '../api'
import { field } from './components'
import { errorText, type AppContext } from './context'
import { mount } from './mount'
import { store, useI18n } from './store'

const TOKEN = /^[A-Za-z0-9_-]{10,100}$/

/** Fills a host element below the signed-in account (notifications and e-mail settings, issue
 * 14: `installEngagement` mounts its Preact view there). */
let accountExtras: ((host: HTMLElement) => void) | undefined
export function setAccountExtras(fill: ((host: HTMLElement) => void) | undefined) {
  accountExtras = fill
}

/** The token of a mailed link in the URL hash (`#verify=…` or `#reset=…`), if any. */
export function linkToken(hash: string, kind: 'verify' | 'reset'): string | undefined {
  const token = new URLSearchParams(hash.replace(/^#/, '')).get(kind)
  return token && TOKEN.test(token) ? token : undefined
}

/** A text field's two-way binding: the signal drives the DOM value, typing writes the signal. */
export function bound(sig: Signal<string>) {
  return { value: sig, onInput: (e: Event) => (sig.value = (e.currentTarget as HTMLInputElement).value) }
}

const text = () => signal('')

export class AccountPanel {
  readonly error = signal<string | undefined>(undefined)
  /** what happened last, when it is not an error (mail sent, password changed…) */
  readonly notice = signal<string | undefined>(undefined)
  readonly signIn = { email: text(), password: text() }
  readonly reg = { email: text(), name: text(), password: text(), type: signal<AccountType>('citizen'), org: text(), consent: signal(false) }
  /** the forgot-password form is open */
  readonly forgotOpen = signal(false)
  readonly forgotEmail = text()
  /** the token of a `#reset=` link being used */
  readonly resetToken = signal<string | undefined>(undefined)
  readonly resetPassword = text()
  readonly change = { current: text(), next: text() }

  constructor(readonly ctx: AppContext) {
    const reset = linkToken(location.hash, 'reset')
    if (reset) {
      this.resetToken.value = reset
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
      this.notice.value = t('account.verified')
      this.ctx.setUser(user)
      this.ctx.announce(t('account.verified'))
    } catch (err) {
      this.error.value = errorText(err)
      this.ctx.announce(t('account.failed', { detail: this.error.value }))
    }
  }

  /** Run a step that answers with a sentence for the user (mail sent, password changed). */
  async step(action: () => Promise<string>) {
    try {
      const notice = await action()
      this.error.value = undefined
      this.notice.value = notice
      this.ctx.announce(notice)
    } catch (err) {
      this.error.value = errorText(err)
      this.notice.value = undefined
    }
  }

  async signInNow() {
    await this.run(() => this.ctx.api.signIn(this.signIn.email.value, this.signIn.password.value))
  }

  async registerNow() {
    const { t } = this.ctx.i18n
    const r = this.reg
    await this.step(async () => {
      await this.ctx.api.register({
        email: r.email.value,
        password: r.password.value,
        display_name: r.name.value,
        account_type: r.type.value,
        organisation_name: r.type.value === 'sme' ? r.org.value : null,
        locale: this.ctx.i18n.locale,
        accept_terms: r.consent.value,
      })
      const sent = t('account.checkMail', { email: r.email.value })
      for (const s of [r.email, r.name, r.password, r.org]) s.value = ''
      r.type.value = 'citizen'
      r.consent.value = false
      return sent
    })
  }

  toggleForgot() {
    if (!this.forgotOpen.value) this.forgotEmail.value = this.signIn.email.value
    this.forgotOpen.value = !this.forgotOpen.value
  }

  async sendReset() {
    await this.step(async () => {
      const done = await this.ctx.api.requestPasswordReset(this.forgotEmail.value)
      this.forgotOpen.value = false
      return done.detail
    })
  }

  async resetNow() {
    const token = this.resetToken.value
    if (!token) return
    await this.step(async () => {
      await this.ctx.api.resetPassword(token, this.resetPassword.value)
      this.resetToken.value = undefined
      this.resetPassword.value = ''
      return this.ctx.i18n.t('account.resetDone')
    })
  }

  async changePassword() {
    await this.step(async () => {
      const done = await this.ctx.api.changePassword(this.change.current.value, this.change.next.value)
      this.change.current.value = ''
      this.change.next.value = ''
      return this.ctx.i18n.t('account.passwordChanged', { count: done.sessions_ended })
    })
  }

  async resend() {
    await this.step(async () => (await this.ctx.api.resendVerification()).detail)
  }

  private async run(action: () => Promise<User>) {
    try {
      const user = await action()
      this.error.value = undefined
      this.notice.value = undefined
      this.signIn.password.value = ''
      this.reg.password.value = ''
      this.ctx.setUser(user)
      this.ctx.announce(this.ctx.i18n.t('account.signedInAs', { name: user.display_name }))
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  async signOut() {
    this.notice.value = undefined
    await this.ctx.api.signOut().catch(() => undefined)
    this.ctx.setUser(undefined)
    this.ctx.announce(this.ctx.i18n.t('account.signedOut'))
  }

  render(): JSX.Element {
    return h(AccountView, { panel: this })
  }
}

const submit = (run: () => void) => (e: Event) => {
  e.preventDefault()
  run()
}

export function AccountView({ panel }: { panel: AccountPanel }) {
  const { t } = useI18n(panel.ctx)
  const user = store.user.value
  return h(
    'section',
    { 'aria-labelledby': 'account-h' },
    h('h2', { id: 'account-h' }, t('account.heading')),
    user ? h(SignedIn, { panel, user }) : h(SignedOut, { panel }),
  )
}

function Messages({ panel }: { panel: AccountPanel }) {
  const { t } = useI18n(panel.ctx)
  const error = panel.error.value
  const notice = panel.notice.value
  return h(
    'div',
    { class: 'account-messages' },
    error ? h('p', { class: 'error', role: 'alert' }, t('account.failed', { detail: error })) : null,
    notice ? h('p', { class: 'notice', role: 'status' }, notice) : null,
  )
}

/** The engagement panel's notifications (setAccountExtras), mounted once into their own element. */
function Extras() {
  const ref = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    const host = ref.current
    if (!host || !accountExtras) return
    accountExtras(host)
    return () => mount(null, host)
  }, [])
  return h('div', { class: 'account-extras', ref })
}

function SignedIn({ panel, user }: { panel: AccountPanel; user: User }) {
  const { t } = useI18n(panel.ctx)
  const c = panel.change
  return h(
    'div',
    {},
    h('p', {}, t('account.signedInAs', { name: user.display_name })),
    h('p', {}, t('account.roles', { roles: user.roles.map((r) => t(`role.${r}`)).join(', ') })),
    h(Messages, { panel }),
    user.email_verified
      ? null
      : h(
          'p',
          { class: 'notice' },
          t('account.unverified'),
          ' ',
          h('button', { type: 'button', id: 'resend-verification', onClick: () => void panel.resend() }, t('account.resend')),
        ),
    h('button', { type: 'button', id: 'sign-out', onClick: () => void panel.signOut() }, t('account.signOut')),
    h(Extras, {}),
    h(
      'form',
      { 'aria-labelledby': 'password-h', onSubmit: submit(() => void panel.changePassword()) },
      h('h3', { id: 'password-h' }, t('account.changePassword')),
      field(t('account.currentPassword'), h('input', { type: 'password', id: 'current-password', autocomplete: 'current-password', required: true, ...bound(c.current) })),
      field(
        t('account.newPassword'),
        h('input', { type: 'password', id: 'new-password', autocomplete: 'new-password', required: true, minlength: 10, ...bound(c.next) }),
        t('account.passwordHint'),
      ),
      h('button', { type: 'submit' }, t('account.changePassword')),
    ),
  )
}

function SignedOut({ panel }: { panel: AccountPanel }) {
  const { t } = useI18n(panel.ctx)
  const s = panel.signIn
  return h(
    'div',
    {},
    h(Messages, { panel }),
    panel.resetToken.value ? h(ResetForm, { panel }) : null,
    h(
      'form',
      { 'aria-labelledby': 'signin-h', onSubmit: submit(() => void panel.signInNow()) },
      h('h3', { id: 'signin-h' }, t('account.signIn')),
      field(t('account.email'), h('input', { type: 'email', name: 'email', id: 'signin-email', autocomplete: 'username', required: true, ...bound(s.email) })),
      field(t('account.password'), h('input', { type: 'password', name: 'password', id: 'signin-password', autocomplete: 'current-password', required: true, ...bound(s.password) })),
      h('button', { type: 'submit', class: 'primary' }, t('account.signIn')),
      ' ',
      h(
        'button',
        { type: 'button', id: 'forgot-password', 'aria-expanded': panel.forgotOpen.value ? 'true' : 'false', onClick: () => panel.toggleForgot() },
        t('account.forgot'),
      ),
    ),
    panel.forgotOpen.value
      ? h(
          'form',
          { 'aria-labelledby': 'forgot-h', onSubmit: submit(() => void panel.sendReset()) },
          h('h3', { id: 'forgot-h' }, t('account.forgotHeading')),
          field(t('account.email'), h('input', { type: 'email', id: 'forgot-email', autocomplete: 'username', required: true, ...bound(panel.forgotEmail) })),
          h('button', { type: 'submit' }, t('account.sendReset')),
        )
      : null,
    h(RegisterForm, { panel }),
  )
}

function ResetForm({ panel }: { panel: AccountPanel }) {
  const { t } = useI18n(panel.ctx)
  return h(
    'form',
    { 'aria-labelledby': 'reset-h', onSubmit: submit(() => void panel.resetNow()) },
    h('h3', { id: 'reset-h' }, t('account.resetHeading')),
    field(
      t('account.newPassword'),
      h('input', { type: 'password', id: 'reset-password', autocomplete: 'new-password', required: true, minlength: 10, ...bound(panel.resetPassword) }),
      t('account.passwordHint'),
    ),
    h('button', { type: 'submit', class: 'primary' }, t('account.resetSubmit')),
  )
}

function RegisterForm({ panel }: { panel: AccountPanel }) {
  const { t } = useI18n(panel.ctx)
  const r = panel.reg
  const limits = store.vocab.value?.limits
  return h(
    'form',
    { 'aria-labelledby': 'register-h', onSubmit: submit(() => void panel.registerNow()) },
    h('h3', { id: 'register-h' }, t('account.register')),
    h(
      'fieldset',
      { class: 'segmented' },
      h('legend', {}, t('account.type')),
      (['citizen', 'sme'] as const).map((k) =>
        h(
          'span',
          { key: k },
          h('input', {
            type: 'radio',
            name: 'account-type',
            id: `register-type-${k}`,
            value: k,
            checked: r.type.value === k,
            onChange: () => (r.type.value = k),
          }),
          h('label', { for: `register-type-${k}` }, t(`account.type.${k}`)),
        ),
      ),
    ),
    field(t('account.email'), h('input', { type: 'email', name: 'email', id: 'register-email', autocomplete: 'email', required: true, ...bound(r.email) })),
    field(
      t('account.displayName'),
      h('input', { type: 'text', name: 'display_name', id: 'register-name', autocomplete: 'nickname', required: true, maxlength: limits?.display_name_max_length, ...bound(r.name) }),
    ),
    r.type.value === 'sme'
      ? field(
          t('account.organisation'),
          h('input', {
            type: 'text',
            name: 'organisation_name',
            id: 'register-org',
            autocomplete: 'organization',
            required: true,
            maxlength: limits?.organisation_name_max_length,
            ...bound(r.org),
          }),
        )
      : null,
    field(
      t('account.password'),
      h('input', { type: 'password', name: 'password', id: 'register-password', autocomplete: 'new-password', required: true, minlength: 10, ...bound(r.password) }),
      t('account.passwordHint'),
    ),
    h(
      'div',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        id: 'register-consent',
        required: true,
        checked: r.consent,
        onChange: (e: Event) => (r.consent.value = (e.currentTarget as HTMLInputElement).checked),
      }),
      h('label', { for: 'register-consent' }, t('account.consent')),
    ),
    h('button', { type: 'submit' }, t('account.register')),
  )
}
