/**
 * The 3D view's render loop, with input first: while the panel answers a click or a key, the
 * next 3D frame waits.
 *
 * Without a GPU (SwiftShader) one Cesium frame takes 200-1000 ms of the page's only thread, and
 * request-render mode still draws every frame while the camera flies or tiles arrive. A click in
 * the panel that lands just before such a frame had its answer (the proposal's view, the other
 * tab) painted only after the frame: 0.3-1 s for an interaction that costs the panel a few
 * milliseconds. Cesium's own loop (`useDefaultRenderLoop`) cannot be told to wait, so the widget
 * is created without it and this loop does what it does (resize, render, next frame) unless a
 * hold is on. A hold ends when the panel says its answer is painted, and in any case after
 * `ms`: the 3D view is never stopped for longer, and a hold that nothing releases costs at most
 * that once. Camera flights are timed by the clock, so a delayed frame only skips ahead.
 */
import type { CesiumWidget } from 'cesium'

export class FrameGate {
  private holdUntil = 0
  private stopped = false
  /** frames drawn and frames that waited (for the tests and the benchmark) */
  readonly counts = { drawn: 0, held: 0 }

  constructor(widget: CesiumWidget, onError: (err: unknown) => void) {
    const frame = () => {
      if (this.stopped || widget.isDestroyed()) return
      if (performance.now() < this.holdUntil) this.counts.held += 1
      else {
        try {
          widget.resize()
          widget.render()
          this.counts.drawn += 1
        } catch (err) {
          // as Cesium's own loop: an error in a frame stops the loop and is shown once
          this.stopped = true
          onError(err)
          return
        }
      }
      requestAnimationFrame(frame)
    }
    requestAnimationFrame(frame)
  }

  /** No 3D frame for up to `ms` milliseconds (or until `release`). */
  hold(ms: number) {
    this.holdUntil = Math.max(this.holdUntil, performance.now() + ms)
  }

  /** The panel's answer is painted: frames may come again. */
  release() {
    this.holdUntil = 0
  }

  get holding(): boolean {
    return performance.now() < this.holdUntil
  }
}
