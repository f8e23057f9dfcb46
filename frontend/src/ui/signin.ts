/** "Sign in to use this." with the way to do it: a link to the Account tab. */
import { h as p, type JSX } from 'preact'
import type { AppContext } from './context'
import { useI18n } from './store'

/** The prompt as a component (the ported panels use this one). */
export function SignInPrompt({ ctx }: { ctx: AppContext }): JSX.Element {
  const { t } = useI18n(ctx)
  return p(
    'p',
    { class: 'muted sign-in-prompt' },
    t('app.signInToUse'),
    ' ',
    p(
      'a',
      {
        href: '#panel',
        onClick: (e: Event) => {
          e.preventDefault()
          ctx.openAccount()
        },
      },
      t('app.signInLink'),
    ),
  )
}
