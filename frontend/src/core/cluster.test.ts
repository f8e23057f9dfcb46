import { describe, expect, it } from 'vitest'
import { clusterPoints } from './cluster'

const pt = <T>(x: number, y: number, item: T) => ({ x, y, item })

describe('clusterPoints', () => {
  it('keeps distant pins apart and merges close ones', () => {
    const clusters = clusterPoints([pt(0, 0, 'a'), pt(5, 5, 'b'), pt(100, 100, 'c')], 20)
    expect(clusters.map((c) => c.items)).toEqual([['a', 'b'], ['c']])
    expect(clusters[0].x).toBeCloseTo(2.5)
    expect(clusters[0].y).toBeCloseTo(2.5)
  })

  it('finds neighbours across grid cell borders', () => {
    const clusters = clusterPoints([pt(19, 19, 'a'), pt(21, 21, 'b')], 20)
    expect(clusters).toHaveLength(1)
  })

  it('measures distance from the seed, so a chain does not collapse into one cluster', () => {
    const chain = Array.from({ length: 10 }, (_, i) => pt(i * 15, 0, String(i)))
    const clusters = clusterPoints(chain, 20)
    expect(clusters.length).toBeGreaterThan(3)
    expect(clusters.flatMap((c) => c.items)).toHaveLength(10)
  })

  it('drops off-screen (non-finite) points and handles zero radius', () => {
    expect(clusterPoints([pt(NaN, 0, 'x'), pt(1, 1, 'y')], 10).flatMap((c) => c.items)).toEqual(['y'])
    expect(clusterPoints([pt(0, 0, 'a'), pt(0, 0, 'b')], 0)).toHaveLength(2)
  })

  it('scales to thousands of pins', () => {
    const many = Array.from({ length: 5000 }, (_, i) => pt((i * 37) % 640, (i * 53) % 360, i))
    const clusters = clusterPoints(many, 30)
    expect(clusters.flatMap((c) => c.items)).toHaveLength(5000)
    expect(clusters.length).toBeLessThan(400)
  })
})
