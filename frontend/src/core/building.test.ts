import { describe, expect, it } from 'vitest'
import { buildingLabel } from './building'

describe('buildingLabel', () => {
  it('names a building by its name, then its address', () => {
    expect(buildingLabel({ name: 'Barbican Centre', address: 'Silk Street', building_id: 'osm:1' })).toEqual({ kind: 'named', text: 'Barbican Centre' })
    expect(buildingLabel({ name: ' ', address: '10 Cloth Fair', building_id: 'osm:2' })).toEqual({ kind: 'named', text: '10 Cloth Fair' })
  })

  it('never shows an internal id: a scheme block by its block, others as unnamed', () => {
    expect(buildingLabel({ building_id: 'massing:2' })).toEqual({ kind: 'block', block: '2' })
    expect(buildingLabel({ building_id: 'osm:way/123' })).toEqual({ kind: 'unnamed' })
    expect(buildingLabel(undefined)).toEqual({ kind: 'unnamed' })
  })
})
