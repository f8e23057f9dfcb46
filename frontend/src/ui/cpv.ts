/**
 * CPV sector picker: type a word or code, pick from the matches, remove chosen codes. A combobox
 * after the WAI-ARIA pattern (list autocomplete): the arrow keys move through the matches, Enter
 * picks the one shown active (the best match when none is: "electr" + Enter is electrical work),
 * Escape closes the list; a click or tap picks too. Used by the opportunity search and editor.
 *
 * A Preact component over the picker's signals (README.md): typing and the matches re-render the
 * picker alone. `view(label)` is for Preact panels; `render(label)` gives a plain element for the
 * panels still built with dom.ts (the planner's opportunity form), the same element every time,
 * so the picker's DOM and state survive their rebuilds.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useLayoutEffect } from 'preact/hooks'
import type { CpvCode } from '../api'
import { rankCpv } from '../core/cpv'
import type { AppContext } from './context'
import { useI18n } from './store'

export interface CpvChoice {
  code: string
  label: string
}

export class CpvPicker {
  readonly chosenCodes = signal<CpvChoice[]>([])
  readonly text = signal('')
  readonly matches = signal<CpvCode[]>([])
  /** the match the arrow keys reached (-1: none) */
  readonly active = signal(-1)
  /** a search has answered for the text (the live region then says how many matched) */
  readonly searched = signal(false)
  /** the text the matches are for */
  private matchedText = ''
  private timer?: ReturnType<typeof setTimeout>
  private seq = 0

  constructor(
    readonly ctx: AppContext,
    readonly idPrefix: string,
    private readonly onChange: () => void = () => undefined,
  ) {}

  get chosen(): CpvChoice[] {
    return this.chosenCodes.value
  }

  get codes(): string[] {
    return this.chosenCodes.value.map((c) => c.code)
  }

  set(codes: readonly CpvChoice[]) {
    this.chosenCodes.value = [...codes]
  }

  /** The text field changed: search once typing pauses. */
  typed(text: string) {
    this.text.value = text
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.search(text), 250)
  }

  async search(text: string) {
    const seq = ++this.seq
    const q = text.trim()
    let matches: CpvCode[] = []
    let searched = false
    if (q.length >= 2) {
      const digits = q.replace(/-\d$/, '')
      const query = /^\d+$/.test(digits) ? { prefix: digits } : { q }
      const found = await this.ctx.api.cpv({ ...query, lang: this.ctx.i18n.locale }).catch(() => [])
      if (seq !== this.seq) return
      matches = rankCpv(found, q)
      searched = true
    }
    this.matchedText = text
    this.matches.value = matches
    this.searched.value = searched
    this.active.value = -1
  }

  /** Enter: pick the active match, or the best one for the text as typed now (not a stale list). */
  async pick() {
    if (this.matchedText !== this.text.peek()) {
      clearTimeout(this.timer)
      await this.search(this.text.peek())
    }
    const list = this.matches.peek()
    const c = list[this.active.peek()] ?? list[0]
    if (c) this.add(c)
  }

  /** Arrow keys: the next or previous match becomes active (wrapping round). */
  move(step: number) {
    const n = this.matches.peek().length
    if (!n) return
    this.active.value = (this.active.peek() + step + n) % n
  }

  close() {
    this.matches.value = []
    this.active.value = -1
  }

  add(c: CpvCode) {
    if (!this.chosenCodes.peek().some((x) => x.code === c.code)) this.chosenCodes.value = [...this.chosenCodes.peek(), { code: c.code, label: c.label }]
    this.text.value = ''
    this.matches.value = []
    this.matchedText = ''
    this.active.value = -1
    this.searched.value = false
    this.onChange()
    this.ctx.announce(this.ctx.i18n.t('cpv.added', { code: c.code, label: c.label }))
    this.ctx.refresh()
    this.focusInput()
  }

  remove(code: string) {
    this.chosenCodes.value = this.chosenCodes.peek().filter((c) => c.code !== code)
    this.onChange()
    this.ctx.refresh()
    // the chip's button is gone with it: the focus goes back to the text field
    this.focusInput()
  }

  private focusInput() {
    requestAnimationFrame(() => document.getElementById(`${this.idPrefix}-cpv`)?.focus())
  }

  /** The picker as a component, for Preact panels; `error` is said beside it (and tied to it). */
  view(label: string, error?: string): JSX.Element {
    return h(CpvView, { picker: this, label, error })
  }
}

function CpvView({ picker, label, error }: { picker: CpvPicker; label: string; error?: string }) {
  const { t, plural } = useI18n(picker.ctx)
  const id = `${picker.idPrefix}-cpv`
  const listId = `${id}-list`
  const matches = picker.matches.value
  const active = picker.active.value
  const chosen = picker.chosenCodes.value
  const open = matches.length > 0
  const activeId = open && active >= 0 ? `${id}-opt-${active}` : undefined
  // the active option stays in sight while the arrow keys move through a long list
  useLayoutEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView?.({ block: 'nearest' })
  }, [activeId])
  return h(
    'div',
    { class: 'field cpv-picker' },
    h('label', { for: id }, label),
    h('input', {
      type: 'text',
      id,
      name: 'cpv',
      value: picker.text.value,
      autocomplete: 'off',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': open ? 'true' : 'false',
      'aria-controls': listId,
      'aria-activedescendant': activeId,
      'aria-describedby': error ? `${id}-hint ${id}-error` : `${id}-hint`,
      'aria-invalid': error ? 'true' : undefined,
      onInput: (e: Event) => picker.typed((e.target as HTMLInputElement).value),
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Enter') {
          // pick instead of submitting the surrounding form
          e.preventDefault()
          void picker.pick()
        } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault()
          picker.move(e.key === 'ArrowDown' ? 1 : -1)
        } else if (e.key === 'Escape' && open) {
          e.preventDefault()
          picker.close()
        }
      },
    }),
    h('p', { class: 'hint', id: `${id}-hint` }, t('opps.cpvHint')),
    error ? h('p', { class: 'error', id: `${id}-error` }, error) : null,
    chosen.length
      ? h(
          'ul',
          { class: 'chips', 'aria-label': t('cpv.chosen') },
          chosen.map((c) =>
            h(
              'li',
              { key: c.code },
              h('span', {}, `${c.code} ${c.label}`),
              h('button', { type: 'button', class: 'chip-remove', 'aria-label': t('cpv.remove', { code: c.code }), onClick: () => picker.remove(c.code) }, '×'),
            ),
          ),
        )
      : null,
    h('p', { class: 'visually-hidden', role: 'status' }, picker.searched.value ? plural('cpv.matches', matches.length) : ''),
    h(
      'ul',
      { class: 'cpv-matches', id: listId, role: 'listbox', 'aria-label': t('cpv.suggestions'), hidden: !open },
      matches.map((c, i) =>
        h(
          'li',
          {
            key: c.code,
            role: 'option',
            id: `${id}-opt-${i}`,
            'aria-selected': i === active ? 'true' : 'false',
            // keep the focus in the input: pick on mousedown, before it would blur
            onMouseDown: (e: Event) => {
              e.preventDefault()
              picker.add(c)
            },
          },
          `${c.code} ${c.label}`,
        ),
      ),
    ),
  )
}
