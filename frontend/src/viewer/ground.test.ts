// @vitest-environment happy-dom
// Street and place labels of the ground layer: every label of labels.json is added, the lanes
// shown only close up included (their scaling range must end after it starts).
import { LabelCollection } from 'cesium'
import { describe, expect, it } from 'vitest'
import { addLabels, labelOptions, type LabelFeature } from './ground'

const label = (name: string, max: number, cls = 'street'): LabelFeature => ({
  geometry: { coordinates: [-0.1, 51.52, 12] },
  properties: { name, class: cls, kind: 'residential', max_distance_m: max },
})

describe('ground labels', () => {
  it('adds every label, the shortest ranges too, and keeps going past a bad one', () => {
    const labels = new LabelCollection()
    const features = [label('Cheapside', 2500, 'place'), label('Bread Street', 149), label('Ave Maria Lane', 100), label('Bow Lane', 101.6)]
    const bad = { ...label('Nowhere', 500), geometry: { coordinates: [Number.NaN, 0, 0] } } as LabelFeature
    expect(addLabels(labels, [...features, bad, label('Old Jewry', 120)])).toBeGreaterThanOrEqual(5)
    const names = Array.from({ length: labels.length }, (_, i) => labels.get(i).text)
    expect(names.slice(0, 4)).toEqual(['Cheapside', 'Bread Street', 'Ave Maria Lane', 'Bow Lane'])
    expect(names).toContain('Old Jewry')
  })

  it('shows a label up to its own distance and shrinks it towards there', () => {
    for (const max of [100, 140, 150, 600]) {
      const o = labelOptions(label('x', max))
      expect(o.distanceDisplayCondition.far).toBe(Math.max(max, 100))
      expect(o.scaleByDistance.far).toBeGreaterThan(o.scaleByDistance.near)
      expect(o.scaleByDistance.near).toBeLessThanOrEqual(150)
    }
  })
})
