/**
 * CPV sector picker: type a word or code, pick from the matches, remove chosen codes. A combobox
 * after the WAI-ARIA pattern (list autocomplete): the arrow keys move through the matches, Enter
 * picks the one shown active (the best match when none is: "electr" + Enter is electrical work),
 * Escape closes the list; a click or tap picks too. Used by the opportunity search and editor.
 */
import type { CpvCode } from '../api'
import { rankCpv } from '../core/cpv'
import type { AppContext } from './context'
import { h } from './dom'

export interface CpvChoice {
  code: string
  label: string
}

export class CpvPicker {
  chosen: CpvChoice[] = []
  private text = ''
  private matches: CpvCode[] = []
  /** the match the arrow keys reached (-1: none) */
  private active = -1
  /** the text the matches are for */
  private matchedText = ''
  private searched = false
  private timer?: ReturnType<typeof setTimeout>
  private seq = 0

  constructor(
    private readonly ctx: AppContext,
    private readonly idPrefix: string,
    private readonly onChange: () => void = () => undefined,
  ) {}

  get codes(): string[] {
    return this.chosen.map((c) => c.code)
  }

  set(codes: readonly CpvChoice[]) {
    this.chosen = [...codes]
  }

  private async search(text: string) {
    const seq = ++this.seq
    const q = text.trim()
    if (q.length < 2) {
      this.matches = []
      this.searched = false
    } else {
      const digits = q.replace(/-\d$/, '')
      const query = /^\d+$/.test(digits) ? { prefix: digits } : { q }
      const found = await this.ctx.api.cpv({ ...query, lang: this.ctx.i18n.locale }).catch(() => [])
      if (seq !== this.seq) return
      this.matches = rankCpv(found, q)
      this.searched = true
    }
    this.matchedText = text
    this.active = -1
    this.ctx.refresh()
  }

  /** Enter: pick the active match, or the best one for the text as typed now (not a stale list). */
  private async pick() {
    if (this.matchedText !== this.text) {
      clearTimeout(this.timer)
      await this.search(this.text)
    }
    const c = this.matches[this.active] ?? this.matches[0]
    if (c) this.add(c)
  }

  private move(input: HTMLInputElement, step: number) {
    if (!this.matches.length) return
    this.active = (this.active + step + this.matches.length) % this.matches.length
    const optionId = `${this.idPrefix}-cpv-opt-${this.active}`
    input.setAttribute('aria-activedescendant', optionId)
    for (const el of document.querySelectorAll(`#${this.idPrefix}-cpv-list [role=option]`)) el.setAttribute('aria-selected', String(el.id === optionId))
    document.getElementById(optionId)?.scrollIntoView({ block: 'nearest' })
  }

  private add(c: CpvCode) {
    if (!this.chosen.some((x) => x.code === c.code)) this.chosen.push({ code: c.code, label: c.label })
    this.text = ''
    this.matches = []
    this.matchedText = ''
    this.active = -1
    this.searched = false
    this.onChange()
    this.ctx.announce(this.ctx.i18n.t('cpv.added', { code: c.code, label: c.label }))
    this.ctx.refresh()
    requestAnimationFrame(() => document.getElementById(`${this.idPrefix}-cpv`)?.focus())
  }

  private remove(code: string) {
    this.chosen = this.chosen.filter((c) => c.code !== code)
    this.onChange()
    this.ctx.refresh()
    requestAnimationFrame(() => document.getElementById(`${this.idPrefix}-cpv`)?.focus())
  }

  render(label: string): HTMLElement {
    const { t, plural } = this.ctx.i18n
    const id = `${this.idPrefix}-cpv`
    const listId = `${id}-list`
    const open = this.matches.length > 0
    const input = h('input', {
      type: 'text',
      id,
      name: 'cpv',
      value: this.text,
      autocomplete: 'off',
      role: 'combobox',
      'aria-autocomplete': 'list',
      'aria-expanded': open ? 'true' : 'false',
      'aria-controls': listId,
      'aria-activedescendant': open && this.active >= 0 ? `${id}-opt-${this.active}` : undefined,
      'aria-describedby': `${id}-hint`,
      oninput: (e: Event) => {
        this.text = (e.target as HTMLInputElement).value
        clearTimeout(this.timer)
        this.timer = setTimeout(() => void this.search(this.text), 250)
      },
      onkeydown: (e: KeyboardEvent) => {
        const el = e.target as HTMLInputElement
        if (e.key === 'Enter') {
          // pick instead of submitting the surrounding form
          e.preventDefault()
          void this.pick()
        } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
          e.preventDefault()
          this.move(el, e.key === 'ArrowDown' ? 1 : -1)
        } else if (e.key === 'Escape' && open) {
          e.preventDefault()
          this.matches = []
          this.active = -1
          this.ctx.refresh()
        }
      },
    })
    return h(
      'div',
      { class: 'field cpv-picker' },
      h('label', { for: id }, label),
      input,
      h('p', { class: 'hint', id: `${id}-hint` }, t('opps.cpvHint')),
      this.chosen.length
        ? h(
            'ul',
            { class: 'chips', 'aria-label': t('cpv.chosen') },
            this.chosen.map((c) =>
              h(
                'li',
                {},
                h('span', {}, `${c.code} ${c.label}`),
                h('button', { type: 'button', class: 'chip-remove', 'aria-label': t('cpv.remove', { code: c.code }), onclick: () => this.remove(c.code) }, '×'),
              ),
            ),
          )
        : null,
      h('p', { class: 'visually-hidden', role: 'status' }, this.searched ? plural('cpv.matches', this.matches.length) : ''),
      h(
        'ul',
        { class: 'cpv-matches', id: listId, role: 'listbox', 'aria-label': t('cpv.suggestions'), hidden: !open },
        this.matches.map((c, i) =>
          h(
            'li',
            {
              role: 'option',
              id: `${id}-opt-${i}`,
              'aria-selected': i === this.active ? 'true' : 'false',
              // keep the focus in the input: pick on mousedown, before it would blur
              onmousedown: (e: Event) => {
                e.preventDefault()
                this.add(c)
              },
            },
            `${c.code} ${c.label}`,
          ),
        ),
      ),
    )
  }
}
