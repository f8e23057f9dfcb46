/**
 * Publishing in the SME one-stop shop (issue 15): a funder's schemes (create, change, publish or
 * withdraw, delete), the grants recorded under them, and the city's edits of the guide. Types
 * come from the generated schema.
 */
import type { components } from './schema'
import type { Api, Id } from './index'
import type { SchemeList } from './funding'

type S = components['schemas']
export type SchemeCreate = S['SchemeCreate']
export type SchemeUpdate = S['SchemeUpdate']
export type SchemeStatus = S['SchemePublic']['status']
export type Grant = S['GrantPublic']
export type GrantCreate = S['GrantCreate']
export type StepCreate = S['StepCreate']
export type StepUpdate = S['StepUpdate']
export type JourneyName = S['JourneyPublic']['journey']

const V1 = '/api/v1'
const enc = (id: Id) => encodeURIComponent(String(id))

export const managedSchemes = (api: Api, limit = 100) => api.http.get<SchemeList>(`${V1}/schemes/managed`, { limit })
export const createScheme = (api: Api, body: SchemeCreate) => api.http.post<S['SchemePublic']>(`${V1}/schemes`, body)
export const updateScheme = (api: Api, id: Id, body: SchemeUpdate) => api.http.patch<S['SchemePublic']>(`${V1}/schemes/${enc(id)}`, body)
export const deleteScheme = (api: Api, id: Id) => api.http.delete<void>(`${V1}/schemes/${enc(id)}`)

export const grantsOf = (api: Api, schemeId: Id) => api.http.get<Grant[]>(`${V1}/schemes/${enc(schemeId)}/grants`)
/** Withdraw a grant recorded in error (the scheme's funder or an admin). */
export const deleteGrant = (api: Api, grantId: Id) => api.http.delete<void>(`${V1}/grants/${enc(grantId)}`)
export const createGrant = (api: Api, schemeId: Id, body: GrantCreate) => api.http.post<Grant>(`${V1}/schemes/${enc(schemeId)}/grants`, body)
/** The 360Giving package of every grant of a public scheme (a 404 while none is awarded). */
export const giving360Url = (api: Api) => api.http.url(`${V1}/grants/360giving.json`)

export const createStep = (api: Api, body: StepCreate) => api.http.post<S['StepPublic']>(`${V1}/guide/steps`, body)
export const updateStep = (api: Api, id: Id, body: StepUpdate) => api.http.patch<S['StepPublic']>(`${V1}/guide/steps/${enc(id)}`, body)
export const deleteStep = (api: Api, id: Id) => api.http.delete<void>(`${V1}/guide/steps/${enc(id)}`)
