import { describe, expect, it } from 'vitest'
import { colourOf, factSentences, legendTicks, mapPoints, pointValue, scaleFor, viewCamera } from './impact'

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
