/**
 * The bridge between Preact components and the rest of the page: `mount(vnode, host)` renders a
 * component tree into a plain element (the app shell does this for the panel on every refresh;
 * Preact diffs, so DOM nodes, focus and caret stay put). Every panel is a Preact component now;
 * only the app shell's fixed frame is built once with `dom.ts`.
 */
import { signal } from '@preact/signals'
import { render, type ComponentChildren, type VNode } from 'preact'

export type { ComponentChildren, VNode }

export function mount(vnode: VNode | null, host: Element) {
  render(vnode, host)
}

/**
 * Counts the app's whole renders (`ctx.refresh()`). Components with signals re-render only when
 * their props or signals change, so a view that reads plain fields (the proposal view's comments)
 * gets this count as a `tick` prop (a prop, not a subscription: reading the signal would render
 * those views a second time after each app render).
 */
export const renderTick = signal(0)

/** the current app render count, for a `tick` prop */
export function currentTick(): number {
  return renderTick.peek()
}
