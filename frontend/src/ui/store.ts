/**
 * The one store of the UI: what several panels read and the app writes (the user, the selection,
 * the building picked in 3D, the live data of the selected proposal, the language, the tab).
 *
 * Each field is a Preact signal: a component that reads `store.x.value` while rendering renders
 * again when it changes, and nothing else does. Panels keep state that is theirs alone in their own
 * signals (see README.md); what two panels share lives here, once.
 */
import { signal } from '@preact/signals'
import type { Id, Proposal, User, Vocabularies } from '../api'
import type { ProposalEvent } from '../api'
import type { BuildingProperties } from '../core/mapview'
import type { VariantView } from '../core/variants'
import type { I18n, LocaleCode } from '../i18n'

export type TabId = 'proposals' | 'opportunities' | 'funding' | 'planner' | 'moderation' | 'analytics' | 'account' | 'admin'

export interface Selection {
  proposal?: Proposal
  commentId?: Id
}

export function createStore() {
  return {
    /** the signed-in user (undefined: anonymous) */
    user: signal<User | undefined>(undefined),
    /** the open proposal (full record) and comment, mirrored into the URL hash */
    selection: signal<Selection>({}),
    /** the building picked in the 3D view or in the non-3D list */
    building: signal<BuildingProperties | undefined>(undefined),
    /** the last live event of the selected proposal (server-sent events) */
    live: signal<ProposalEvent | undefined>(undefined),
    /** the UI language; the app keeps it equal to `I18n.locale` */
    locale: signal<LocaleCode>('en'),
    /** the panel tab shown */
    tab: signal<TabId>('proposals'),
    /** the backend's vocabularies and limits (GET /api/v1/vocabularies), once loaded */
    vocab: signal<Vocabularies | undefined>(undefined),
    /** the 3D view has started (`ctx.map` is set); false for good without WebGL */
    mapReady: signal(false),
    /** the open proposal's design variants and the one(s) drawn in 3D (ui/engagement.ts writes it) */
    variants: signal<VariantView | undefined>(undefined),
  }
}

export type Store = ReturnType<typeof createStore>

/** The store of the page. Tests set its fields and read them back. */
export const store: Store = createStore()

/**
 * `ctx.i18n` for a component: reading the store's locale subscribes it to language changes (a
 * component re-renders only when its props or the signals it read change).
 */
export function useI18n(ctx: { i18n: I18n }): I18n {
  void store.locale.value
  return ctx.i18n
}

/** Put every field back to its initial value (tests). */
export function resetStore(s: Store = store) {
  const fresh = createStore()
  for (const key of Object.keys(fresh) as (keyof Store)[]) {
    ;(s[key] as { value: unknown }).value = fresh[key].value
  }
}
