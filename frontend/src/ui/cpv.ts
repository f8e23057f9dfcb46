/**
 * CPV sector picker: type a word or code, pick from the matches (buttons, not a custom
 * combobox: plain buttons work the same with a keyboard, a screen reader and touch), remove
 * chosen codes. Used by the opportunity search and the opportunity editor.
 */
import type { CpvCode } from '../api'
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
      this.matches = found
      this.searched = true
    }
    this.ctx.refresh()
  }

  private add(c: CpvCode) {
    if (!this.chosen.some((x) => x.code === c.code)) this.chosen.push({ code: c.code, label: c.label })
    this.text = ''
    this.matches = []
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
    const input = h('input', {
      type: 'search',
      id,
      name: 'cpv',
      value: this.text,
      autocomplete: 'off',
      'aria-describedby': `${id}-hint`,
      oninput: (e: Event) => {
        this.text = (e.target as HTMLInputElement).value
        clearTimeout(this.timer)
        this.timer = setTimeout(() => void this.search(this.text), 250)
      },
      onkeydown: (e: KeyboardEvent) => {
        // Enter picks the first match instead of submitting the surrounding form
        if (e.key === 'Enter') {
          e.preventDefault()
          if (this.matches[0]) this.add(this.matches[0])
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
      this.matches.length
        ? h(
            'ul',
            { class: 'cpv-matches', 'aria-label': t('cpv.suggestions') },
            this.matches.map((c) => h('li', {}, h('button', { type: 'button', class: 'link', onclick: () => this.add(c) }, `${c.code} ${c.label}`))),
          )
        : null,
    )
  }
}
