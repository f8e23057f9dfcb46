/**
 * Typed API for the app. Every backend path lives here, with request and response types taken
 * from the generated OpenAPI schema (`types.ts`), so following the backend is a change to this
 * file only.
 */
import { HttpClient, type Query } from './client'
import type { components } from './schema'
import { everyOf, type Vocabularies } from './types'
import type {
  Accepted,
  AuditLogPage,
  AuditQuery,
  BuildingCollection,
  ClientConfig,
  Comment,
  CommentCreate,
  CommentPage,
  CpvCode,
  Decision,
  Id,
  Interest,
  MassingIn,
  MatchList,
  ModeratedComment,
  ModerationItem,
  ModelPlacement,
  Opportunity,
  OpportunityCreate,
  OpportunityFilters,
  OpportunityList,
  OpportunityQuery,
  Organisation,
  PasswordChanged,
  Proposal,
  ProposalAnalytics,
  ProposalCreate,
  ProposalDocument,
  ProposalList,
  ProposalUpdate,
  ReactionCounts,
  ReactionKind,
  RegisterRequest,
  ReportPublic,
  ReportReason,
  Role,
  SavedSearch,
  Stage,
  TilesetInfo,
  User,
  UserAdmin,
  UserList,
} from './types'

export * from './types'
export { ApiError } from './client'

const V1 = '/api/v1'
const enc = (id: Id | string) => encodeURIComponent(String(id))

/** Live events of one proposal: the backend's ProposalEvent union (backend/schemas/events.py). */
type S = components['schemas']
export type ProposalEvent = S['CommentEvent'] | S['CommentGoneEvent'] | S['ReactionCountsEvent'] | S['StageChangedEvent']

export const PROPOSAL_EVENT_TYPES = everyOf<ProposalEvent['type']>()([
  'comment_created',
  'comment_edited',
  'comment_hidden',
  'comment_restored',
  'comment_deleted',
  'reaction_counts',
  'stage_changed',
])
// the union's types and the published list of event types are the same set
everyOf<Vocabularies['event_types'][number]>()(PROPOSAL_EVENT_TYPES)

export class Api {
  constructor(readonly http = new HttpClient()) {}

  private remember = (user: User) => {
    if (user.csrf_token) this.http.csrfToken = user.csrf_token
    return user
  }

  // deployment
  config = () => this.http.get<ClientConfig>(`${V1}/config`)
  /** the closed vocabularies and the limits the backend enforces (one contract) */
  vocabularies = () => this.http.get<Vocabularies>(`${V1}/vocabularies`)
  tilesets = async () => (await this.http.get<{ items: TilesetInfo[] }>(`${V1}/tilesets`)).items
  /** Buildings whose footprint meets `bbox` (west, south, east, north): the non-3D picker. */
  buildings = (bbox: [number, number, number, number], limit = 50, tileset?: string) =>
    this.http.get<BuildingCollection>(`${V1}/buildings`, { bbox: bbox.map((v) => v.toFixed(6)).join(','), limit, tileset })

  // accounts
  me = async () => this.remember(await this.http.get<User>(`${V1}/auth/me`))
  signIn = async (email: string, password: string) => this.remember(await this.http.post<User>(`${V1}/auth/login`, { email, password }))
  /** the answer is the same for a new and a known address: the next step arrives by e-mail */
  register = (body: RegisterRequest) => this.http.post<Accepted>(`${V1}/auth/register`, body)
  /** the token of a mailed `#verify=` link: confirms the address and signs in */
  verifyEmail = async (token: string) => this.remember(await this.http.post<User>(`${V1}/auth/verify-email`, { token }))
  resendVerification = () => this.http.post<Accepted>(`${V1}/auth/verify-email/resend`)
  requestPasswordReset = (email: string) => this.http.post<Accepted>(`${V1}/auth/password-reset`, { email })
  /** the token of a mailed `#reset=` link; signs every session out */
  resetPassword = (token: string, newPassword: string) =>
    this.http.post<void>(`${V1}/auth/password-reset/confirm`, { token, new_password: newPassword })
  changePassword = (currentPassword: string, newPassword: string) =>
    this.http.post<PasswordChanged>(`${V1}/users/me/password`, { current_password: currentPassword, new_password: newPassword })
  signOut = async () => {
    await this.http.post<void>(`${V1}/auth/logout`)
    this.http.csrfToken = undefined
  }

  // proposals
  proposals = (q: { stage?: Stage[]; q?: string; bbox?: string; limit?: number; offset?: number } = {}) =>
    this.http.get<ProposalList>(`${V1}/proposals`, q)
  proposal = (id: Id) => this.http.get<Proposal>(`${V1}/proposals/${enc(id)}`)
  createProposal = (body: ProposalCreate) => this.http.post<Proposal>(`${V1}/proposals`, body)
  updateProposal = (id: Id, body: ProposalUpdate) => this.http.patch<Proposal>(`${V1}/proposals/${enc(id)}`, body)
  setMassing = (id: Id, body: MassingIn) => this.http.put<Proposal>(`${V1}/proposals/${enc(id)}/massing`, body)
  publish = (id: Id) => this.http.post<Proposal>(`${V1}/proposals/${enc(id)}/publish`)
  changeStage = (id: Id, stage: Stage, decision?: Decision, reason?: string) =>
    this.http.post<Proposal>(`${V1}/proposals/${enc(id)}/stage`, { stage, decision: decision ?? null, reason: reason || null })
  uploadDocument = (id: Id, file: File, title: string) =>
    this.http.upload<ProposalDocument>('POST', `${V1}/proposals/${enc(id)}/documents`, file, { title, filename: file.name })
  uploadModel = (id: Id, file: File, placement: ModelPlacement) =>
    this.http.upload<Proposal>('PUT', `${V1}/proposals/${enc(id)}/model`, file, { ...placement, filename: file.name }, 'model/gltf-binary')
  placeModel = (id: Id, placement: ModelPlacement) => this.http.patch<Proposal>(`${V1}/proposals/${enc(id)}/model`, placement)
  analytics = (id: Id) => this.http.get<ProposalAnalytics>(`${V1}/analytics/proposals/${enc(id)}`)

  // comments
  comments = (proposalId: Id, offset = 0) =>
    this.http.get<CommentPage>(`${V1}/proposals/${enc(proposalId)}/comments`, { limit: 100, offset, sort: 'newest' })
  postComment = (proposalId: Id, body: CommentCreate) => this.http.post<Comment>(`${V1}/proposals/${enc(proposalId)}/comments`, body)
  react = (commentId: Id, kind: ReactionKind) => this.http.put<ReactionCounts>(`${V1}/comments/${enc(commentId)}/reaction`, { kind })
  unreact = (commentId: Id) => this.http.delete<ReactionCounts>(`${V1}/comments/${enc(commentId)}/reaction`)
  report = (commentId: Id, reason: ReportReason) => this.http.post<unknown>(`${V1}/comments/${enc(commentId)}/reports`, { reason })
  /** URL of the proposal's server-sent-events stream (EventSource does the request). */
  eventsUrl = (proposalId: Id) => this.http.url(`${V1}/proposals/${enc(proposalId)}/events`)

  // moderation
  moderationQueue = async () => (await this.http.get<{ items: ModerationItem[] }>(`${V1}/moderation/queue`, { limit: 100 })).items
  moderate = (commentId: Id, action: 'hide' | 'restore', reason: string) =>
    this.http.post<ModeratedComment>(`${V1}/moderation/comments/${enc(commentId)}/${action}`, { reason })
  /** hidden comments, newest first: what a moderator may restore */
  hiddenComments = async () => (await this.http.get<{ items: ModeratedComment[] }>(`${V1}/moderation/hidden`, { limit: 100 })).items
  /** dismiss one report of a comment (its other reports and the comment stay) */
  dismissReport = (reportId: Id, reason: string) => this.http.post<ReportPublic>(`${V1}/moderation/reports/${enc(reportId)}/dismiss`, { reason })

  // administration (admins)
  users = (q: { q?: string; role?: Role; limit?: number; offset?: number } = {}) => this.http.get<UserList>(`${V1}/users`, q)
  setUserRoles = (userId: Id, roles: Role[]) => this.http.put<UserAdmin>(`${V1}/users/${enc(userId)}/roles`, { roles })
  auditLog = (q: AuditQuery = {}) => this.http.get<AuditLogPage>(`${V1}/audit-log`, q as Query)

  // opportunities
  opportunities = (q: OpportunityQuery = {}) => this.http.get<OpportunityList>(`${V1}/opportunities`, q as Query)
  opportunity = (id: Id) => this.http.get<Opportunity>(`${V1}/opportunities/${enc(id)}`)
  createOpportunity = (body: OpportunityCreate) => this.http.post<Opportunity>(`${V1}/opportunities`, body)
  registerInterest = (id: Id, message = '') => this.http.put<Interest>(`${V1}/opportunities/${enc(id)}/interest`, { message })
  withdrawInterest = (id: Id) => this.http.delete<Interest>(`${V1}/opportunities/${enc(id)}/interest`)
  myInterests = () => this.http.get<Interest[]>(`${V1}/organisations/me/interests`)
  myOrganisation = () => this.http.get<Organisation>(`${V1}/organisations/me`)
  matches = (limit = 20) => this.http.get<MatchList>(`${V1}/organisations/me/matches`, { limit })
  savedSearches = () => this.http.get<SavedSearch[]>(`${V1}/saved-searches`)
  saveSearch = (name: string, query: OpportunityFilters) =>
    this.http.post<SavedSearch>(`${V1}/saved-searches`, { name, query, frequency: 'daily' })
  deleteSavedSearch = (id: Id) => this.http.delete<void>(`${V1}/saved-searches/${enc(id)}`)
  /** Alerts of a saved search: `{frequency, paused}` (either kind: funding has its own path). */
  updateSavedSearch = (id: Id, body: { frequency?: SavedSearch['frequency']; paused?: boolean }) =>
    this.http.patch<SavedSearch>(`${V1}/saved-searches/${enc(id)}`, body)
  cpv = async (q: { q?: string; prefix?: string; lang?: string; limit?: number }) =>
    (await this.http.get<{ items: CpvCode[] }>(`${V1}/cpv`, { limit: 15, ...q })).items
}

/** Live events of one proposal, via server-sent events. Returns a close function. */
export function subscribeProposalEvents(
  api: Api,
  proposalId: Id,
  onEvent: (ev: ProposalEvent) => void,
  onError?: () => void,
): () => void {
  if (typeof EventSource === 'undefined') return () => undefined
  const source = new EventSource(api.eventsUrl(proposalId), { withCredentials: true })
  const listener = (ev: MessageEvent<string>) => {
    try {
      onEvent(JSON.parse(ev.data) as ProposalEvent)
    } catch {
      /* ignore a malformed event */
    }
  }
  for (const type of PROPOSAL_EVENT_TYPES) source.addEventListener(type, listener as EventListener)
  source.onerror = () => onError?.()
  return () => source.close()
}
