/** Small building blocks shared by the Preact panels (see README.md). */
import { cloneElement, h, type ComponentChildren, type JSX, type VNode } from 'preact'

/**
 * A labelled form control: `field(label, h('input', { id: 'x', ... }), hint?)`. The control must
 * carry its own stable `id` (the label's `for`, the hint's `aria-describedby` and the e2e tests
 * use it).
 */
export function field(label: string, control: JSX.Element, hint?: string): JSX.Element {
  const id = (control as VNode<{ id?: string }>).props.id
  if (!id) throw new Error(`field "${label}": the control needs an id`)
  const hintId = `${id}-hint`
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    hint ? cloneElement(control, { 'aria-describedby': hintId } as Record<string, unknown>) : control,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
  )
}

/** A status line, an error (role=alert) or nothing. */
export function Notice({ kind, children }: { kind: 'status' | 'error' | 'muted'; children?: ComponentChildren }) {
  if (kind === 'error') return h('p', { class: 'error', role: 'alert' }, children)
  if (kind === 'status') return h('p', { role: 'status' }, children)
  return h('p', { class: 'muted' }, children)
}
