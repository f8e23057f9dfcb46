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
 * their props or signals change, so a view holding an old-style element built from plain fields
 * passes this count down as a `tick` prop to its `Legacy` (a prop, not a subscription: reading
 * the signal would render those views a second time after each app render).
 */
export const legacyTick = signal(0)

/** the current app render count, for a `tick` prop */
export function currentTick(): number {
  return legacyTick.peek()
}

/**
 * An element made outside Preact, placed in the tree (a `display: contents` wrapper): either
 * `el`, or `render()` called again on every app render.
 */
export function Legacy({ el, render: build }: { el?: Node | null; render?: () => Node | null; tick?: number }) {
  const ref = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    const host = ref.current
    if (!host) return
    const node = build ? build() : el
    if (node) host.replaceChildren(node)
    else host.replaceChildren()
  })
  return h('div', { ref, class: 'legacy' })
}
