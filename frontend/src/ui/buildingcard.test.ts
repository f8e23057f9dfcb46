import { describe, expect, it } from 'vitest'
import { cardPosition } from './buildingcard'

describe('cardPosition', () => {
  it('sits right of and above its point when there is room', () => {
    expect(cardPosition(300, 300, 640, 360, 200, 100)).toEqual({ left: 314, top: 186 })
  })
  it('flips left near the right edge and below near the top, staying inside the view', () => {
    expect(cardPosition(600, 300, 640, 360, 200, 100)).toEqual({ left: 386, top: 186 })
    expect(cardPosition(300, 40, 640, 360, 200, 100)).toEqual({ left: 314, top: 54 })
    const p = cardPosition(20, 20, 300, 200, 280, 180)
    expect(p.left).toBeGreaterThanOrEqual(4)
    expect(p.top).toBeGreaterThanOrEqual(4)
    // a point that left the view: the card stays inside it
    expect(cardPosition(-120, 500, 640, 360, 200, 100)).toEqual({ left: 4, top: 256 })
  })
})
