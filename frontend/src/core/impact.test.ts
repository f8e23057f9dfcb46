import { describe, expect, it } from 'vitest'
import { colourOf, factSentences, legendTicks, mapPoints, pointValue, scaleFor, viewCamera, viewsOnMap, zoneColour, zonePolygons, zoneRows } from './impact'

describe('impact facts', () => {
  it('turns codes and numbers into keys and parameters', () => {
    const s = factSentences([
      { code: 'vsc', failing: 14, points: 212, buildings: 4 },
      { code: 'ground', radius_m: 357, after_pct: 61, before_pct: 78, adverse: false },
      { code: 'ground', radius_m: 100, after_pct: 30, before_pct: 80, adverse: true },
      { code: 'view', name: "St Paul's", scheme_pct: 3.2, above_landmark: true },
      { code: 'grid' },
      { code: 'unknown' },
    ])
    expect(s.map((x) => x.key)).toEqual(['impact.fact.vsc', 'impact.fact.ground', 'impact.fact.groundFails', 'impact.fact.viewAbove', 'impact.fact.grid'])
    expect(s[0]).toEqual({ key: 'impact.fact.vsc', count: 14, params: { points: 212, buildings: 4 } })
    expect(s[1].params).toEqual({ radius: 357, after: 61, before: 78 })
  })
})

describe('impact values and colours', () => {
  it('computes a difference where only before and after are sent', () => {
    expect(pointValue({ before: 30, after: 20, difference: -10 }, 'vsc', 'difference')).toBe(-10)
    expect(pointValue({ sun_hours_before: 5, sun_hours_after: 1.5 }, 'ground', 'difference')).toBe(-3.5)
    expect(pointValue({ share_seen: 0.4 }, 'visibility', 'before')).toBeUndefined()
  })

  it('puts the BRE threshold at the middle colour and clamps the ends', () => {
    const vsc = scaleFor('vsc', 'after')
    expect(vsc.threshold).toBe(27)
    expect(colourOf(27, vsc)).toEqual(vsc.stops[1])
    expect(colourOf(-5, vsc)).toEqual(vsc.stops[0])
    expect(colourOf(99, vsc)).toEqual(vsc.stops[2])
    expect(scaleFor('ground', 'after').threshold).toBe(2)
    expect(scaleFor('apsh', 'before').threshold).toBe(25)
    const ticks = legendTicks(vsc)
    expect(ticks.find((t) => t.threshold)).toEqual({ value: 27, threshold: true, at: 27 / 40 })
  })

  it('colours each point with a value and reports its index', () => {
    const feats = [
      { id: 3, geometry: { coordinates: [-0.09, 51.5, 20] }, properties: { before: 35, after: 10 } },
      { id: 4, geometry: { coordinates: [-0.09, 51.5, 23] }, properties: {} },
    ]
    const pts = mapPoints(feats, 'vsc', 'after')
    expect(pts).toHaveLength(1)
    expect(pts[0].index).toBe(3)
    expect(pts[0].position).toEqual({ lon: -0.09, lat: 51.5, height: 20 })
  })
})

describe('protected view camera', () => {
  it('looks from the eye at the target', () => {
    // target 1 km due east and 100 m up: heading 90°, pitch atan(0.1)
    const eye = { lon: 0, lat: 51.5, height: 50 }
    const east = 1000 / ((6371008.8 * Math.PI) / 180) / Math.cos((51.5 * Math.PI) / 180)
    const cam = viewCamera(eye, { lon: east, lat: 51.5, height: 150 })
    expect(cam.heading).toBeCloseTo(90, 6)
    expect(cam.pitch).toBeCloseTo((Math.atan(0.1) * 180) / Math.PI, 6)
    expect(viewCamera(eye, { lon: 0, lat: 51.4, height: 50 }).heading).toBeCloseTo(180, 6)
  })
})

describe('the zone of theoretical visibility and the protected views', () => {
  const square = (x: number, y: number, d: number) => [
    [x, y],
    [x + d, y],
    [x + d, y + d],
    [x, y + d],
    [x, y],
  ]
  const band = (id: number, share: number, coordinates: number[][][][], area: number, ground: number) => ({
    id,
    geometry: { type: 'MultiPolygon' as const, coordinates },
    properties: { share_seen_above: share, area_m2: area, share_of_ground: ground },
  })

  it('gives a polygon per part of each band, holes kept, inner bands on higher levels', () => {
    const zone = [
      band(2, 0.5, [], 0, 0),
      band(0, 0, [[square(0, 0, 1), square(0.2, 0.2, 0.1)], [square(2, 0, 1)]], 1800, 0.3),
      band(1, 0.25, [[square(0, 0, 0.5)]], 400, 0.06),
    ]
    const polys = zonePolygons(zone)
    expect(polys.map((p) => [p.band, p.level, p.holes.length])).toEqual([
      [0, 0, 1],
      [0, 0, 0],
      [0.25, 1, 0],
    ])
    expect(polys[0].outer[1]).toEqual({ lon: 1, lat: 0 })
    expect(polys[2].colour).toEqual(zoneColour(0.25))
    // warmer (less green) where more of the scheme is seen
    expect(zoneColour(0.5)[1]).toBeLessThan(zoneColour(0.25)[1])
    expect(zoneColour(0.25)[1]).toBeLessThan(zoneColour(0)[1])
    // the text equivalent: every band, lowest first, the share in percent
    expect(zoneRows(zone).map((r) => [r.band, r.areaM2, r.sharePct])).toEqual([
      [0, 1800, 30],
      [0.25, 400, 6],
      [0.5, 0, 0],
    ])
  })

  it('refuses a band the legend does not know', () => {
    expect(() => zonePolygons([band(0, 0.3, [[square(0, 0, 1)]], 1, 0.1)])).toThrow('zone band 0.3 is not one of 0, 0.25, 0.5')
  })

  it("puts each view's result on its viewpoint by name, in order, and none on a newer view", () => {
    const vp = (name: string) => ({ name, eye: [-0.1065, 51.5141, 49], target: [-0.0984, 51.5138, 111] })
    const views = viewsOnMap(
      [vp("St Paul's"), vp('Fleet St'), vp("St Paul's"), vp('New')],
      [
        { code: 'vsc', failing: 0, points: 1, buildings: 1 },
        { code: 'view', name: "St Paul's", scheme_pct: 3.2, above_landmark: true },
        { code: 'view', name: 'Fleet St', scheme_pct: 0, above_landmark: false },
        { code: 'view', name: "St Paul's", scheme_pct: 1.5, above_landmark: false },
      ],
    )
    expect(views.map((v) => v.result)).toEqual([
      { schemePct: 3.2, aboveLandmark: true },
      { schemePct: 0, aboveLandmark: false },
      { schemePct: 1.5, aboveLandmark: false },
      undefined,
    ])
    expect(views[0].eye).toEqual({ lon: -0.1065, lat: 51.5141, height: 49 })
    expect(views[0].target.height).toBe(111)
  })
})
