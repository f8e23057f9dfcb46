/**
 * Plain DOM building for the app shell's fixed frame (header, map, panel, status line), built once:
 * `h('div', {class: 'x'}, child)`. Everything inside the panel is Preact (ui/mount.ts).
 */

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
