/**
 * The SME one-stop shop (issue 15): funding and support schemes, schemes for my organisation,
 * the guide, and the supply-chain KPIs. Types come from the generated schema.
 */
import type { components } from './schema'
import type { Api, Id } from './index'

type S = components['schemas']
export type Scheme = S['SchemePublic']
export type SchemeList = S['SchemeList']
export type SchemeMatch = S['SchemeMatch']
export type SchemeMatchReason = S['SchemeMatchReason']
export type SchemeKind = Scheme['kind']
export type Journey = S['JourneyPublic']
export type GuideStep = S['StepPublic']
export type Kpis = S['Kpis']
export type FundingSavedSearch = S['FundingSavedSearchPublic']
export type FundingSearchFilters = S['FundingSearchFilters']
export type Frequency = FundingSavedSearch['frequency']

export interface SchemeQuery {
  kind?: SchemeKind
  size?: 'micro' | 'small' | 'medium'
  sector?: string
  open_on?: string
  q?: string
  limit?: number
}

const V1 = '/api/v1'
const clean = (q: SchemeQuery) =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string | number>

export const schemes = (api: Api, q: SchemeQuery = {}) => api.http.get<SchemeList>(`${V1}/schemes`, clean(q))
export const mySchemes = (api: Api) => api.http.get<S['SchemeMatchList']>(`${V1}/organisations/me/schemes`)
export const schemesBeside = (api: Api, opportunityId: Id) =>
  api.http.get<Scheme[]>(`${V1}/opportunities/${encodeURIComponent(String(opportunityId))}/schemes`)
/** The directory's filters as a saved search stores them ("open today" becomes "open now"). */
export function toSavedFilters(q: SchemeQuery): Partial<FundingSearchFilters> {
  const out: Partial<FundingSearchFilters> = {}
  if (q.kind) out.kind = [q.kind]
  if (q.size) out.size = q.size
  if (q.sector) out.sector = q.sector
  if (q.q) out.q = q.q
  if (q.open_on) out.open_now = true
  return out
}

/** A saved search's filters back in the directory's form. */
export function fromSavedFilters(f: FundingSearchFilters, today: string): SchemeQuery {
  return {
    kind: f.kind?.[0],
    size: f.size ?? undefined,
    sector: f.sector ?? undefined,
    q: f.q ?? undefined,
    open_on: f.open_now ? today : undefined,
  }
}

const SAVED = `${V1}/saved-searches/funding`
export const savedFundingSearches = (api: Api) => api.http.get<FundingSavedSearch[]>(SAVED)
export const saveFundingSearch = (api: Api, name: string, query: Partial<FundingSearchFilters>, frequency: Frequency) =>
  api.http.post<FundingSavedSearch>(SAVED, { name, query, frequency })
export const runFundingSearch = (api: Api, id: Id) => api.http.get<SchemeList>(`${SAVED}/${encodeURIComponent(String(id))}/schemes`)
export const updateFundingSearch = (api: Api, id: Id, body: { frequency?: Frequency; paused?: boolean }) =>
  api.http.patch<FundingSavedSearch>(`${SAVED}/${encodeURIComponent(String(id))}`, body)
export const deleteFundingSearch = (api: Api, id: Id) => api.http.delete<void>(`${V1}/saved-searches/${encodeURIComponent(String(id))}`)
export const guide = (api: Api) => api.http.get<Journey[]>(`${V1}/guide`)
export const kpis = (api: Api, proposalId?: Id) =>
  api.http.get<Kpis>(`${V1}/awards/kpis`, proposalId === undefined ? {} : { proposal_id: String(proposalId) })
export const kpisCsvUrl = (api: Api) => api.http.url(`${V1}/awards/kpis.csv`)
