/**
 * Typed API for the app. Every backend path lives here, so aligning with the backend's
 * OpenAPI document is a change to this file and `types.ts` only.
 */
import { asPage, HttpClient, type Query } from './client'
import type {
  ClientConfig,
  Comment,
  CommentCreate,
  CpvCode,
  Id,
  Opportunity,
  OpportunityQuery,
  Page,
  Proposal,
  ProposalAnalytics,
  ProposalCreate,
  Report,
  ReportReason,
  Stage,
  Decision,
  TilesetInfo,
  User,
} from './types'

export * from './types'
export { ApiError } from './client'

const V1 = '/api/v1'
const enc = encodeURIComponent

function opportunityQuery(q: OpportunityQuery): Query {
  return {
    cpv: q.cpv,
    lon: q.near?.lon,
    lat: q.near?.lat,
    near_org: q.near_org || undefined,
    within_m: q.within_m,
    value_min: q.value_min,
    value_max: q.value_max,
    closing_before: q.closing_before,
    sme_suitable: q.sme_suitable || undefined,
    q: q.q,
    limit: q.limit,
    offset: q.offset,
  }
}

export class Api {
  constructor(readonly http = new HttpClient()) {}

  // deployment
  config = () => this.http.get<ClientConfig>(`${V1}/config`)
  tilesets = async () => asPage(await this.http.get<TilesetInfo[] | Page<TilesetInfo>>(`${V1}/tilesets`)).items

  // accounts
  me = () => this.http.get<User>(`${V1}/auth/me`)
  signIn = (email: string, password: string) => this.http.post<User>(`${V1}/auth/login`, { email, password })
  register = (body: { email: string; password: string; display_name: string; consent: boolean }) =>
    this.http.post<User>(`${V1}/auth/register`, body)
  signOut = () => this.http.post<void>(`${V1}/auth/logout`)

  // proposals
  proposals = async (q: { stage?: Stage; q?: string; limit?: number; offset?: number } = {}) =>
    asPage(await this.http.get<Proposal[] | Page<Proposal>>(`${V1}/proposals`, q))
  proposal = (id: Id) => this.http.get<Proposal>(`${V1}/proposals/${enc(String(id))}`)
  createProposal = (body: ProposalCreate) => this.http.post<Proposal>(`${V1}/proposals`, body)
  updateProposal = (id: Id, body: Partial<ProposalCreate>) => this.http.patch<Proposal>(`${V1}/proposals/${enc(String(id))}`, body)
  changeStage = (id: Id, stage: Stage, decision?: Decision) =>
    this.http.post<Proposal>(`${V1}/proposals/${enc(String(id))}/stage`, { stage, decision })
  uploadDocument = (id: Id, file: File, title: string) => {
    const form = new FormData()
    form.append('file', file)
    form.append('title', title)
    return this.http.upload<Proposal>(`${V1}/proposals/${enc(String(id))}/documents`, form)
  }
  uploadModel = (id: Id, file: File, placement: { lon: number; lat: number; height: number; heading: number; scale: number }) => {
    const form = new FormData()
    form.append('file', file)
    for (const [k, v] of Object.entries(placement)) form.append(k, String(v))
    return this.http.upload<Proposal>(`${V1}/proposals/${enc(String(id))}/model`, form)
  }
  analytics = (id: Id) => this.http.get<ProposalAnalytics>(`${V1}/proposals/${enc(String(id))}/analytics`)

  // comments
  comments = async (proposalId: Id) =>
    asPage(await this.http.get<Comment[] | Page<Comment>>(`${V1}/proposals/${enc(String(proposalId))}/comments`, { limit: 500 })).items
  postComment = (proposalId: Id, body: CommentCreate) =>
    this.http.post<Comment>(`${V1}/proposals/${enc(String(proposalId))}/comments`, body)
  react = (commentId: Id, kind: string) => this.http.post<Comment>(`${V1}/comments/${enc(String(commentId))}/reactions`, { kind })
  unreact = (commentId: Id) => this.http.delete<void>(`${V1}/comments/${enc(String(commentId))}/reactions`)
  report = (commentId: Id, reason: ReportReason) =>
    this.http.post<void>(`${V1}/comments/${enc(String(commentId))}/reports`, { reason })
  /** URL of the proposal's server-sent-events stream (EventSource does the request). */
  eventsUrl = (proposalId: Id) => this.http.url(`${V1}/proposals/${enc(String(proposalId))}/events`)

  // moderation
  reports = async () => asPage(await this.http.get<Report[] | Page<Report>>(`${V1}/moderation/reports`)).items
  moderate = (commentId: Id, action: 'hide' | 'restore', reason: string) =>
    this.http.post<Comment>(`${V1}/comments/${enc(String(commentId))}/moderation`, { action, reason })

  // opportunities
  opportunities = async (q: OpportunityQuery = {}) =>
    asPage(await this.http.get<Opportunity[] | Page<Opportunity>>(`${V1}/opportunities`, opportunityQuery(q)))
  opportunity = (id: Id) => this.http.get<Opportunity>(`${V1}/opportunities/${enc(String(id))}`)
  registerInterest = (id: Id) => this.http.post<void>(`${V1}/opportunities/${enc(String(id))}/interest`)
  withdrawInterest = (id: Id) => this.http.delete<void>(`${V1}/opportunities/${enc(String(id))}/interest`)
  createOpportunity = (proposalId: Id, body: Omit<Opportunity, 'id' | 'proposal_id' | 'distance_m' | 'interest_registered'>) =>
    this.http.post<Opportunity>(`${V1}/proposals/${enc(String(proposalId))}/opportunities`, body)
  saveSearch = (name: string, q: OpportunityQuery) => this.http.post<void>(`${V1}/saved-searches`, { name, query: opportunityQuery(q) })
  cpv = async (q: string) => asPage(await this.http.get<CpvCode[] | Page<CpvCode>>(`${V1}/cpv`, { q, limit: 20 })).items
}

/** Live comment events for one proposal, via server-sent events. Returns a close function. */
export function subscribeProposalEvents(
  api: Api,
  proposalId: Id,
  handlers: { comment?: (c: Comment) => void; error?: () => void },
): () => void {
  if (typeof EventSource === 'undefined') return () => undefined
  const source = new EventSource(api.eventsUrl(proposalId), { withCredentials: true })
  const onComment = (ev: MessageEvent<string>) => {
    try {
      const data = JSON.parse(ev.data) as Comment | { comment: Comment }
      handlers.comment?.('comment' in data ? data.comment : data)
    } catch {
      /* ignore malformed event */
    }
  }
  source.addEventListener('comment', onComment as EventListener)
  source.addEventListener('comment.created', onComment as EventListener)
  source.onerror = () => handlers.error?.()
  return () => source.close()
}
