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
