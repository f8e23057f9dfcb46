/** What every panel gets: the API, i18n, the (optional) 3D view, the user, and app actions. */
import type { Api, Id, Proposal, Role, User } from '../api'
import { errorMessage } from '../core/errors'
import type { MapView, PickedPoint } from '../core/mapview'
import { CATALOGUES, LOCALES, interpolate, type I18n } from '../i18n'
import { formatDate } from '../i18n/format'
import { store } from './store'

export interface AppContext {
  api: Api
  i18n: I18n
  /** undefined until the 3D view starts, and for good if WebGL is unavailable */
  map?: MapView
  user?: User
  /** polite screen-reader announcement (and a visible status line) */
  announce(message: string): void
  /** re-render the panels (after sign-in, language change…) */
  refresh(): void
  /** the selected proposal (full record) and comment, mirrored into the URL hash */
  selection: { proposal?: Proposal; commentId?: Id }
  select(proposal: Proposal | undefined, commentId?: Id): void
  selectComment(commentId: Id | undefined): void
  /** fetch a proposal and select it; `keepView` leaves the camera where it is */
  openProposal(id: Id, opts?: { keepView?: boolean; commentId?: Id }): Promise<void>
  setUser(user: User | undefined): void
  /** show the Account tab (sign in / register) */
  openAccount(): void
  /** start a comment anchored at a picked building (the building card) */
  commentOnBuilding?(pick: PickedPoint): void
}

export function hasRole(user: User | undefined, ...roles: Role[]): boolean {
  return !!user && user.roles.some((r) => roles.includes(r) || r === 'admin')
}

/** An error as the reader's sentence: the API's `key` + `params` in the UI language (core/errors.ts). */
export function errorText(err: unknown): string {
  const locale = store.locale.value
  const catalogue = CATALOGUES[locale] as Record<string, string>
  const tag = LOCALES.find((l) => l.code === locale)?.tag ?? 'en-GB'
  return errorMessage(
    err,
    (key, params) => (key in catalogue ? interpolate(catalogue[key], params) : undefined),
    (iso) => formatDate(iso, tag),
  )
}
