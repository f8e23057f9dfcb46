import { describe, expect, it } from 'vitest'
import { BUILDING_TYPES, buildingLabel, buildingType } from './building'

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

describe('buildingType', () => {
  it("leaves out OpenStreetMap's plain `yes` and empty values", () => {
    expect(buildingType('yes')).toBeUndefined()
    expect(buildingType(' YES ')).toBeUndefined()
    expect(buildingType('')).toBeUndefined()
    expect(buildingType(null)).toBeUndefined()
  })

  it('gives the common values a key to translate (offices as office) and others as text', () => {
    expect(buildingType('commercial')).toEqual({ key: 'commercial' })
    expect(buildingType('offices')).toEqual({ key: 'office' })
    expect(buildingType('train_station')).toEqual({ key: 'train_station' })
    expect(buildingType('data_center')).toEqual({ text: 'data center' })
  })

  it('every known value has a name in every language', async () => {
    const { CATALOGUES } = await import('../i18n')
    for (const [locale, cat] of Object.entries(CATALOGUES)) {
      for (const v of BUILDING_TYPES) expect(cat[`buildingType.${v}`], `${locale} ${v}`).toBeTruthy()
    }
  })
})
