/**
 * The bridge between Preact components and the rest of the page.
 *
 * - `mount(vnode, host)` renders a component tree into a plain element (the app shell does this
 *   for the panel on every refresh; Preact diffs, so DOM nodes, focus and caret stay put).
 * - `Legacy` shows an element built by the old `h()` of `dom.ts` inside a component tree, for the
 *   panels not ported yet; it goes once the last one is.
 */
import { signal } from '@preact/signals'
import { h, render, type ComponentChildren, type VNode } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'

export type { ComponentChildren, VNode }

export function mount(vnode: VNode | null, host: Element) {
  render(vnode, host)
}

/**
 * Counts the app's whole renders (`ctx.refresh()`). Components with signals re-render only when
 * their props or signals change, so an old-style element built from plain fields is rebuilt by
 * `Legacy` on this tick.
 */
export const legacyTick = signal(0)

/**
 * An element made outside Preact, placed in the tree (a `display: contents` wrapper): either
 * `el`, or `render()` called again on every app render.
 */
export function Legacy({ el, render: build }: { el?: Node | null; render?: () => Node | null }) {
  const ref = useRef<HTMLDivElement>(null)
  void legacyTick.value
  useLayoutEffect(() => {
    const host = ref.current
    if (!host) return
    const node = build ? build() : el
    if (node) host.replaceChildren(node)
    else host.replaceChildren()
  })
  return h('div', { ref, class: 'legacy' })
}
