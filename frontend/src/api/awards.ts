/**
 * Awards of work packages and the contractor's sub-packages below them (issue 15). Types come
 * from the generated schema.
 */
import type { components } from './schema'
import type { Api, Id } from './index'

type S = components['schemas']
export type Award = S['AwardPublic']
export type AwardCreate = S['AwardCreate']
export type SupplierSize = Award['supplier_size']
export type SubPackageCreate = S['SubPackageCreate']
export type InterestForPublisher = S['InterestList']['items'][number]
export type OrganisationFound = S['OrganisationPublic']

const V1 = '/api/v1'
const opp = (id: Id) => `${V1}/opportunities/${encodeURIComponent(String(id))}`

export const SUPPLIER_SIZES: readonly SupplierSize[] = ['micro', 'small', 'medium', 'large']

export const awardsOf = (api: Api, opportunityId: Id) => api.http.get<Award[]>(`${opp(opportunityId)}/awards`)
export const createAward = (api: Api, opportunityId: Id, body: AwardCreate) => api.http.post<Award>(`${opp(opportunityId)}/awards`, body)
export const deleteAward = (api: Api, id: Id) => api.http.delete<void>(`${V1}/awards/${encodeURIComponent(String(id))}`)
/** The organisations interested in a work package (its planner): the suppliers to choose from. */
export const interestsOf = (api: Api, opportunityId: Id) => api.http.get<S['InterestList']>(`${opp(opportunityId)}/interests`)
/** The organisation directory, by name or identifier (first page: 10). */
export const searchOrganisations = (api: Api, q: string) => api.http.get<S['OrganisationList']>(`${V1}/organisations`, { q })
export const subPackagesOf = (api: Api, opportunityId: Id) => api.http.get<S['OpportunityPublic'][]>(`${opp(opportunityId)}/sub-packages`)
export const createSubPackage = (api: Api, opportunityId: Id, body: SubPackageCreate) =>
  api.http.post<S['OpportunityPublic']>(`${opp(opportunityId)}/sub-packages`, body)
