import { describe, expect, it } from 'vitest'
import { PIN_STYLES, pinPath, pinPolygon } from './pins'

describe('pins', () => {
  it('gives each sentiment its own shape, not only its own colour', () => {
    const shapes = new Set([PIN_STYLES.objection.shape, PIN_STYLES.neutral.shape, PIN_STYLES.supportive.shape])
    expect(shapes.size).toBe(3)
    expect(new Set([PIN_STYLES.objection.colour, PIN_STYLES.neutral.colour, PIN_STYLES.supportive.colour]).size).toBe(3)
  })
  it('draws shapes inside their box', () => {
    expect(pinPolygon('triangle', 20)).toEqual([[10, 2], [18, 18], [2, 18]])
    for (const shape of ['triangle', 'square', 'diamond', 'circle'] as const) {
      for (const [x, y] of pinPolygon(shape, 16)) {
        expect(x).toBeGreaterThanOrEqual(0)
        expect(y).toBeLessThanOrEqual(16)
      }
    }
    expect(pinPath('square', 10, 1)).toBe('M 1 1 L 9 1 L 9 9 L 1 9 Z')
    expect(pinPath('circle', 10, 1)).toContain(' a 4 4 0 1 0 8 0')
  })
})
