/**
 * The action bar's line naming the design variant drawn in the 3D view (issue 14): "Showing:
 * B: two wings — Lower, stepped", or both names in the split view ("left | right", as the
 * divider's labels stand); nothing while the scheme's own massing is shown. It follows
 * `store.variants` (written by ui/engagement.ts), so it renders alone when a variant is shown or
 * put away.
 */
import { h, type JSX } from 'preact'
import { variantTitle, type VariantView } from '../core/variants'
import type { I18n } from '../i18n'
import type { AppContext } from './context'
import { store, useI18n } from './store'

/** The bar's text for what is shown, or undefined for the scheme's own massing. */
export function variantBarText(i18n: I18n, view: VariantView | undefined, proposalId: number | undefined): string | undefined {
  if (!view || proposalId === undefined || view.proposalId !== proposalId || view.left === undefined) return undefined
  const left = view.items.find((v) => v.id === view.left)
  if (!left) return undefined
  const right = view.right === undefined ? undefined : view.items.find((v) => v.id === view.right)
  if (right) return i18n.t('bar.variantSplit', { left: left.name, right: right.name })
  return i18n.t('bar.variantShowing', { name: variantTitle(left) })
}

export function VariantShown({ ctx }: { ctx: AppContext }): JSX.Element | null {
  const i18n = useI18n(ctx)
  const text = variantBarText(i18n, store.variants.value, store.selection.value.proposal?.id)
  // one line in the bar (styles.css); the full text on hover and for screen readers
  return text ? h('p', { id: 'bar-variant', class: 'bar-variant', title: text }, text) : null
}
