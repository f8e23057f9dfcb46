/** Opportunity search: the filter form's state, as API query parameters and saved-search filters. */
import type { Opportunity, OpportunityFilters, OpportunityQuery, ProposalSummary } from '../api'
import { outerRings, ringCentre, type LonLat } from './geo'

export type DistanceFrom = 'anywhere' | 'view' | 'org'

export interface OpportunitySearch {
  q?: string
  /** CPV codes or prefixes (the backend matches by prefix) */
  cpv: string[]
  from: DistanceFrom
  radiusKm?: number
  minValue?: number
  maxValue?: number
  /** yyyy-mm-dd */
  closingBefore?: string
  smeOnly: boolean
  sort?: 'closing' | 'distance' | 'value' | 'newest'
}

export const emptySearch = (): OpportunitySearch => ({ cpv: [], from: 'anywhere', smeOnly: false })

/** Split what the user typed into CPV codes: digits only, the check digit ("-5") dropped. */
export function parseCpvInput(text: string): string[] {
  const codes = text
    .split(/[\s,;]+/)
    .map((s) => s.trim().replace(/-\d$/, ''))
    .filter((s) => /^\d{2,8}$/.test(s))
  return [...new Set(codes)]
}

/**
 * The query for `GET /opportunities`. `centre` is where distance is measured from (the view's
 * centre or the organisation's location); without one the distance filter is dropped.
 */
export function toQuery(s: OpportunitySearch, centre: LonLat | undefined, limit = 50): OpportunityQuery {
  const q: OpportunityQuery = { limit }
  if (s.q?.trim()) q.q = s.q.trim()
  if (s.cpv.length) q.cpv = s.cpv
  if (s.from !== 'anywhere' && centre) {
    q.lon = round6(centre.lon)
    q.lat = round6(centre.lat)
    if (s.radiusKm && s.radiusKm > 0) q.radius_km = s.radiusKm
  }
  if (s.minValue !== undefined) q.min_value = s.minValue
  if (s.maxValue !== undefined) q.max_value = s.maxValue
  if (s.closingBefore) q.closing_before = s.closingBefore
  if (s.smeOnly) q.sme_suitable = true
  const sort = s.sort ?? (q.lon !== undefined ? 'distance' : undefined)
  if (sort) q.sort = sort as OpportunityQuery['sort']
  return q
}

/** The same search as saved-search filters (for alerts). */
export function toFilters(s: OpportunitySearch, centre: LonLat | undefined): OpportunityFilters {
  const { limit: _limit, sort: _sort, offset: _offset, status: _status, ...rest } = toQuery(s, centre)
  return rest as OpportunityFilters
}

/** The value of an opportunity as [min, max] (equal for a single amount), or undefined. */
export function valueRange(o: Pick<Opportunity, 'value'>): [number, number] | undefined {
  const v = o.value
  const lo = v.min ?? v.amount ?? v.max
  const hi = v.max ?? v.amount ?? v.min
  return lo != null && hi != null ? [lo, hi] : undefined
}

/** Position of an opportunity's delivery location (GeoJSON Point), if any. */
export function opportunityPoint(o: Pick<Opportunity, 'delivery_location'>): LonLat | undefined {
  const g = o.delivery_location as { type?: string; coordinates?: number[] } | null
  if (g?.type === 'Point' && Array.isArray(g.coordinates) && g.coordinates.length >= 2) {
    return { lon: Number(g.coordinates[0]), lat: Number(g.coordinates[1]) }
  }
  return undefined
}

/**
 * Opportunities placed for the map: one without a delivery location of its own is shown at its
 * proposal's site (the centre of the site's first ring), so every work package of a known
 * proposal has a marker. Those of unknown proposals, or sites without geometry, stay unplaced.
 */
export function withSiteLocations<T extends Pick<Opportunity, 'delivery_location' | 'proposal_id'>>(
  list: readonly T[],
  proposals: readonly Pick<ProposalSummary, 'id' | 'site_boundary'>[],
): T[] {
  const sites = new Map(proposals.map((p) => [p.id, p.site_boundary]))
  return list.map((o) => {
    if (opportunityPoint(o)) return o
    const site = sites.get(o.proposal_id) as Parameters<typeof outerRings>[0] | null | undefined
    const centre = site ? ringCentre(outerRings(site)[0] ?? []) : undefined
    return centre ? { ...o, delivery_location: { type: 'Point', coordinates: [round6(centre.lon), round6(centre.lat)] } } : o
  })
}

function round6(v: number) {
  return Math.round(v * 1e6) / 1e6
}
