/**
 * The bridge between Preact components and the rest of the page.
 *
 * - `mount(vnode, host)` renders a component tree into a plain element (the app shell does this
 *   for the panel on every refresh; Preact diffs, so DOM nodes, focus and caret stay put).
 * - `Legacy` shows an element built by the old `h()` of `dom.ts` inside a component tree, for the
 *   panels not ported yet; it goes once the last one is.
 */
import { h, render, type ComponentChildren, type VNode } from 'preact'
import { useLayoutEffect, useRef } from 'preact/hooks'

export type { ComponentChildren, VNode }

export function mount(vnode: VNode | null, host: Element) {
  render(vnode, host)
}

/** An element made outside Preact, placed in the tree (a `display: contents` wrapper). */
export function Legacy({ el }: { el: Node | null }) {
  const ref = useRef<HTMLDivElement>(null)
  useLayoutEffect(() => {
    const host = ref.current
    if (!host) return
    if (el) host.replaceChildren(el)
    else host.replaceChildren()
  })
  return h('div', { ref, class: 'legacy' })
}
