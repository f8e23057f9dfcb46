/**
 * The impact study of a proposal (issue 13): its job's status and summary, its points as
 * GeoJSON, protected viewpoints. Types come from the generated schema; the points are GeoJSON
 * built by hand in the backend, so their shape is written here once.
 */
import type { components } from './schema'
import type { Api, Id } from './index'

type S = components['schemas']
export type ImpactStatus = S['ImpactStatus']
export type ImpactJob = S['ImpactJobPublic']
export type ImpactViewpoint = S['ViewpointPublic']
export type ImpactViewpointIn = S['ViewpointIn']
export type ImpactPointRef = S['ImpactPointRef']
export type ImpactAnalysisName = ImpactPointRef['analysis']

export interface ImpactPoint {
  type: 'Feature'
  id: number
  geometry: { type: 'Point'; coordinates: [number, number, number] }
  properties: Record<string, number | boolean | string | null>
}
export interface ImpactPoints {
  type: 'FeatureCollection'
  analysis: ImpactAnalysisName
  features: ImpactPoint[]
}

/** One band of the zone of theoretical visibility: a MultiPolygon of lon/lat, the ground
 * whose eye sees more than `share_seen_above` of the scheme, its area and share of the ground. */
export interface ZoneFeature {
  type?: 'Feature'
  id: number
  geometry: { type: 'MultiPolygon'; coordinates: number[][][][] }
  properties: { share_seen_above: number; area_m2: number; share_of_ground: number }
}

const base = (id: Id) => `/api/v1/proposals/${encodeURIComponent(String(id))}/impact`

export const impactStatus = (api: Api, id: Id) => api.http.get<ImpactStatus>(base(id))
export const requestImpact = (api: Api, id: Id) => api.http.post<ImpactJob>(base(id))
export const impactPoints = (api: Api, id: Id, analysis: ImpactAnalysisName) =>
  api.http.get<ImpactPoints>(`${base(id)}/points`, { analysis })
/** The zone of theoretical visibility: one MultiPolygon feature per band of the share seen. */
export const impactZone = async (api: Api, id: Id) =>
  (await api.http.get<{ type: 'FeatureCollection'; features: ZoneFeature[] }>(`${base(id)}/zone`)).features
export const impactReportUrl = (api: Api, id: Id) => api.http.url(`${base(id)}/report`)
export const impactCsvUrl = (api: Api, id: Id) => api.http.url(`${base(id)}/csv`)
export const impactViewpoints = async (api: Api, id: Id) =>
  (await api.http.get<{ items: ImpactViewpoint[] }>(`${base(id)}/viewpoints`)).items
export const addImpactViewpoint = (api: Api, id: Id, body: ImpactViewpointIn) =>
  api.http.post<ImpactViewpoint>(`${base(id)}/viewpoints`, body)
