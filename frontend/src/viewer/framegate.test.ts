// The 3D view's render loop with input first: frames wait while a hold is on, come again on
// release or when the hold's time is up, and an error in a frame stops the loop once.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { CesiumWidget } from 'cesium'
import { FrameGate } from './framegate'

/** what the loop needs of a widget: resize, render, isDestroyed (counts the calls) */
function widgetStandIn(fail = false) {
  const w = { renders: 0, resizes: 0, destroyed: false }
  const widget = {
    resize: () => (w.resizes += 1),
    render: () => {
      if (fail) throw new Error('bad frame')
      w.renders += 1
    },
    isDestroyed: () => w.destroyed,
  }
  return { w, widget: widget as unknown as CesiumWidget }
}

describe('FrameGate', () => {
  let queue: FrameRequestCallback[]
  let now: number
  const step = (n = 1) => {
    for (let i = 0; i < n; i++) {
      const q = queue
      queue = []
      now += 16
      for (const f of q) f(now)
    }
  }
  beforeEach(() => {
    queue = []
    now = 1000
    vi.stubGlobal('requestAnimationFrame', (f: FrameRequestCallback) => queue.push(f))
    vi.spyOn(performance, 'now').mockImplementation(() => now)
  })
  afterEach(() => {
    vi.unstubAllGlobals()
    vi.restoreAllMocks()
  })

  it('draws a frame each animation frame without a hold', () => {
    const { w, widget } = widgetStandIn()
    const gate = new FrameGate(widget, () => undefined)
    step(5)
    expect(w.renders).toBe(5)
    expect(w.resizes).toBe(5)
    expect(gate.counts).toEqual({ drawn: 5, held: 0 })
  })

  it('holds frames until released, and never longer than the hold', () => {
    const { w, widget } = widgetStandIn()
    const gate = new FrameGate(widget, () => undefined)
    step(1)
    gate.hold(100)
    expect(gate.holding).toBe(true)
    step(3) // 48 ms
    expect(w.renders).toBe(1)
    gate.release()
    expect(gate.holding).toBe(false)
    step(1)
    expect(w.renders).toBe(2)
    // a hold nobody releases ends by itself: 100 ms = 6 frames of 16 ms, then drawing again
    gate.hold(100)
    step(6)
    expect(w.renders).toBe(2)
    step(1)
    expect(w.renders).toBe(3)
    expect(gate.counts.held).toBe(9)
  })

  it('a longer hold is not cut short by a shorter one', () => {
    const { w, widget } = widgetStandIn()
    const gate = new FrameGate(widget, () => undefined)
    gate.hold(200)
    gate.hold(20)
    step(5) // 80 ms
    expect(w.renders).toBe(0)
  })

  it('an error in a frame stops the loop and is reported once', () => {
    const { widget } = widgetStandIn(true)
    const errors: unknown[] = []
    new FrameGate(widget, (e) => errors.push(e))
    step(3)
    expect(errors).toHaveLength(1)
    expect(String(errors[0])).toContain('bad frame')
    expect(queue).toHaveLength(0)
  })

  it('stops when the widget is destroyed', () => {
    const { w, widget } = widgetStandIn()
    new FrameGate(widget, () => undefined)
    step(2)
    w.destroyed = true
    step(2)
    expect(w.renders).toBe(2)
    expect(queue).toHaveLength(0)
  })
})
