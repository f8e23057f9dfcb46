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
