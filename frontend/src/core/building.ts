/** Display order of building properties (3D Tiles metadata written by the tiles pipeline). */
import type { BuildingProperties } from './mapview'

export const BUILDING_KEYS = [
  'name',
  'address',
  'building_type',
  'height_m',
  'base_height_m',
  'levels',
  'height_source',
  'building_id',
  'source_id',
  'dataset',
] as const

/**
 * OpenStreetMap `building=*` values with a name in every language (the common ones in the
 * partner cities' data); `yes` says only "a building" and is not shown. Others are shown as
 * tagged, underscores as spaces.
 */
export const BUILDING_TYPES = [
  'commercial', 'office', 'apartments', 'retail', 'house', 'residential', 'roof', 'church', 'cathedral', 'tower',
  'school', 'university', 'train_station', 'industrial', 'public', 'hotel', 'warehouse', 'construction',
] as const
export type BuildingType = (typeof BUILDING_TYPES)[number]

/** a building type as people read it: a known value's key, a tagged one as text, none for `yes` */
export function buildingType(value: unknown): { key: BuildingType } | { text: string } | undefined {
  const v = String(value ?? '').trim().toLowerCase()
  if (!v || v === 'yes') return undefined
  const known = v === 'offices' ? 'office' : v
  if ((BUILDING_TYPES as readonly string[]).includes(known)) return { key: known as BuildingType }
  return { text: String(value).trim().replace(/_/g, ' ') }
}

/** Known keys first in a fixed order, then any others alphabetically; empty values dropped. */
export function buildingRows(props: BuildingProperties): [string, string | number | boolean][] {
  const known = BUILDING_KEYS.filter((k) => props[k] !== undefined && props[k] !== null && props[k] !== '')
  const others = Object.keys(props)
    .filter((k) => !(BUILDING_KEYS as readonly string[]).includes(k) && props[k] !== null && props[k] !== '')
    .sort()
  return [...known, ...others].map((k) => [k, props[k] as string | number | boolean])
}

/** How to name a building to people: its name, else its address, else a scheme's block number. */
export type BuildingLabel = { kind: 'named'; text: string } | { kind: 'block'; block: string } | { kind: 'unnamed' }

export function buildingLabel(props: BuildingProperties | undefined): BuildingLabel {
  for (const key of ['name', 'address'] as const) {
    const v = props?.[key]
    if (typeof v === 'string' && v.trim()) return { kind: 'named', text: v.trim() }
  }
  // a scheme's massing blocks carry "massing:<the block's feature id>" (tiles/massing.py)
  const m = /^massing:(.+)$/.exec(String(props?.building_id ?? ''))
  if (m) return { kind: 'block', block: m[1] }
  return { kind: 'unnamed' }
}
