/** Minimal DOM building: `h('button', {class: 'x', onclick}, 'text')`. No framework needed. */

type Child = Node | string | number | false | null | undefined | Child[]
type Attrs = Record<string, unknown>

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue
    if (k.startsWith('on') && typeof v === 'function') {
      el.addEventListener(k.slice(2), v as EventListener)
    } else if (k === 'class') {
      el.className = String(v)
    } else if (k === 'value' && 'value' in el) {
      ;(el as HTMLInputElement).value = String(v)
    } else if (k === 'checked' && 'checked' in el) {
      ;(el as HTMLInputElement).checked = Boolean(v)
    } else if (v === true) {
      el.setAttribute(k, '')
    } else {
      el.setAttribute(k, String(v))
    }
  }
  append(el, children)
  return el
}

function append(el: Node, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue
    if (Array.isArray(c)) append(el, c)
    else el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)))
  }
}

let counter = 0
/** Restart ids at each full render so they stay stable (focus is restored by id). */
export function resetUids() {
  counter = 0
}
/** Unique ids for label/for and aria-describedby pairs. */
export function uid(prefix: string): string {
  counter += 1
  return `${prefix}-${counter}`
}

/** A labelled form control: returns the wrapper and the control. */
export function field<T extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
  label: string,
  control: T,
  hint?: string,
): HTMLDivElement {
  const id = control.id || uid('f')
  control.id = id
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id)
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl)
}

export function replaceChildren(el: Element, ...children: Child[]) {
  el.replaceChildren()
  append(el, children)
}
