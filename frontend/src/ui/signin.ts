/** "Sign in to use this." with the way to do it: a link to the Account tab. */
import type { AppContext } from './context'
import { h } from './dom'

export function signInPrompt(ctx: AppContext): HTMLElement {
  const { t } = ctx.i18n
  return h(
    'p',
    { class: 'muted sign-in-prompt' },
    t('app.signInToUse'),
    ' ',
    h(
      'a',
      {
        href: '#panel',
        onclick: (e: Event) => {
          e.preventDefault()
          ctx.openAccount()
        },
      },
      t('app.signInLink'),
    ),
  )
}
