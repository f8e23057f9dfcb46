import { describe, expect, it } from 'vitest'
import { bboxOf, distanceM, isSelfIntersecting, outerRings, pointInRing } from './geo'
import { buildingRows } from './building'

describe('geo helpers', () => {
  it('measures distances in metres', () => {
    // one degree of latitude is about 111.2 km
    expect(distanceM({ lon: 0, lat: 0 }, { lon: 0, lat: 1 })).toBeCloseTo(111_195, -2)
  })

  it('reads outer rings of GeoJSON polygons without the closing vertex', () => {
    const rings = outerRings({ type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] })
    expect(rings).toEqual([[{ lon: 0, lat: 0 }, { lon: 1, lat: 0 }, { lon: 1, lat: 1 }]])
    expect(bboxOf(rings[0])).toEqual([0, 0, 1, 1])
    expect(bboxOf([])).toBeUndefined()
  })

  it('detects bow-ties and inside points', () => {
    const bowtie = [{ lon: 0, lat: 0 }, { lon: 1, lat: 1 }, { lon: 1, lat: 0 }, { lon: 0, lat: 1 }]
    const square = [{ lon: 0, lat: 0 }, { lon: 1, lat: 0 }, { lon: 1, lat: 1 }, { lon: 0, lat: 1 }]
    expect(isSelfIntersecting(bowtie)).toBe(true)
    expect(isSelfIntersecting(square)).toBe(false)
    expect(pointInRing({ lon: 0.5, lat: 0.5 }, square)).toBe(true)
    expect(pointInRing({ lon: 1.5, lat: 0.5 }, square)).toBe(false)
  })

  it('orders building properties: known keys first, then the rest, empties dropped', () => {
    const rows = buildingRows({ zeta: 1, building_id: 'b1', height_m: 12.5, name: '', alpha: 'x', levels: null })
    expect(rows.map(([k]) => k)).toEqual(['height_m', 'building_id', 'alpha', 'zeta'])
  })
})
