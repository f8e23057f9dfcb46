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
export const guide = (api: Api) => api.http.get<Journey[]>(`${V1}/guide`)
export const kpis = (api: Api, proposalId?: Id) =>
  api.http.get<Kpis>(`${V1}/awards/kpis`, proposalId === undefined ? {} : { proposal_id: String(proposalId) })
export const kpisCsvUrl = (api: Api) => api.http.url(`${V1}/awards/kpis.csv`)
