/**
 * The planner's questionnaire editor (issue 14): questions of the five kinds the backend knows
 * (single and multiple choice, a rating, free text, a point on the map), in order, saved and
 * published at once with `setQuestionnaire` (PUT replaces the whole questionnaire; the backend
 * refuses it with 409 once someone has answered). Mounted by `EngagementSections` for planners.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Proposal } from '../api'
import { setQuestionnaire, type Question, type QuestionIn } from '../api/engagement'
import type { MessageKey } from '../i18n'
import { field, Notice } from './components'
import { errorText, type AppContext } from './context'
import type { EngagementPanel } from './engagement'
import { useI18n } from './store'

export const QUESTION_KINDS: QuestionIn['kind'][] = ['single', 'multiple', 'rating', 'text', 'point']
/** The backend's bounds (schemas/questionnaires.py): 20 questions, 12 options. */
export const MAX_QUESTIONS = 20
export const MAX_OPTIONS = 12

/** One question being edited: options as one per line. */
export interface DraftQuestion {
  key: number
  kind: QuestionIn['kind']
  prompt: string
  options: string
  required: boolean
  rating_max: number
}

let nextKey = 1
const blank = (): DraftQuestion => ({ key: nextKey++, kind: 'single', prompt: '', options: '', required: false, rating_max: 5 })

export function fromQuestion(q: Question): DraftQuestion {
  return { key: nextKey++, kind: q.kind, prompt: q.prompt, options: q.options.join('\n'), required: q.required, rating_max: q.rating_max }
}

/** The request body, or the first problem: which question (1-based) and what. */
export function toQuestions(drafts: DraftQuestion[]): QuestionIn[] | { index: number; problem: 'prompt' | 'options' } {
  const out: QuestionIn[] = []
  for (const [i, d] of drafts.entries()) {
    if (!d.prompt.trim()) return { index: i, problem: 'prompt' }
    const choice = d.kind === 'single' || d.kind === 'multiple'
    const options = choice ? d.options.split('\n').map((o) => o.trim()).filter(Boolean) : []
    if (choice && (options.length < 2 || options.length > MAX_OPTIONS)) return { index: i, problem: 'options' }
    out.push({ kind: d.kind, prompt: d.prompt.trim(), options, required: d.required, rating_max: d.rating_max })
  }
  return out
}

export class QuestionEditor {
  readonly drafts = signal<DraftQuestion[]>([])
  readonly notice = signal<string | undefined>(undefined)
  readonly error = signal<string | undefined>(undefined)
  private loadedFor?: number

  constructor(readonly panel: EngagementPanel) {}

  get ctx(): AppContext {
    return this.panel.ctx
  }

  /** Start from the published questions (once per proposal, so typing is never overwritten). */
  sync(p: Proposal) {
    const q = this.panel.questionnaire.value
    if (!q || q.proposal_id !== p.id || this.loadedFor === p.id) return
    this.loadedFor = p.id
    this.drafts.value = q.questions.map(fromQuestion)
  }

  add() {
    if (this.drafts.value.length >= MAX_QUESTIONS) return
    const q = blank()
    this.drafts.value = [...this.drafts.value, q]
    setTimeout(() => document.getElementById(`qe-${q.key}-prompt`)?.focus(), 0)
  }

  edit(key: number, patch: Partial<DraftQuestion>) {
    this.drafts.value = this.drafts.value.map((d) => (d.key === key ? { ...d, ...patch } : d))
  }

  remove(key: number) {
    this.drafts.value = this.drafts.value.filter((d) => d.key !== key)
  }

  move(key: number, by: -1 | 1) {
    const list = [...this.drafts.value]
    const i = list.findIndex((d) => d.key === key)
    const j = i + by
    if (i < 0 || j < 0 || j >= list.length) return
    ;[list[i], list[j]] = [list[j], list[i]]
    this.drafts.value = list
    setTimeout(() => document.getElementById(`qe-${key}-${by < 0 ? 'up' : 'down'}`)?.focus(), 0)
  }

  save(p: Proposal) {
    const { t } = this.ctx.i18n
    this.notice.value = this.error.value = undefined
    const out = toQuestions(this.drafts.value)
    if (!Array.isArray(out)) {
      const d = this.drafts.value[out.index]
      this.error.value = t(out.problem === 'prompt' ? 'qEdit.needPrompt' : 'qEdit.needOptions', { n: out.index + 1, max: MAX_OPTIONS })
      document.getElementById(`qe-${d.key}-${out.problem}`)?.focus()
      return Promise.resolve()
    }
    return (async () => {
      try {
        this.panel.questionnaire.value = await setQuestionnaire(this.ctx.api, p.id, out)
        this.loadedFor = undefined
        this.sync(p)
        this.notice.value = t('qEdit.saved', { n: out.length })
        this.ctx.announce(this.notice.value)
      } catch (err) {
        this.error.value = errorText(err)
      }
    })()
  }
}

export function QuestionEditorSection({ editor, p }: { editor: QuestionEditor; p: Proposal }): JSX.Element {
  const { t } = useI18n(editor.ctx)
  const q = editor.panel.questionnaire.value
  useEffect(() => editor.sync(p), [p.id, q])
  const drafts = editor.drafts.value
  return h(
    'section',
    { id: 'question-editor', 'aria-labelledby': 'question-editor-h' },
    h('h3', { id: 'question-editor-h', tabindex: -1 }, t('qEdit.heading')),
    h('p', { class: 'hint' }, t('qEdit.intro')),
    h(
      'form',
      { id: 'question-editor-form', onSubmit: (e: Event) => (e.preventDefault(), void editor.save(p)) },
      drafts.length ? null : h('p', { class: 'muted' }, t('qEdit.none')),
      h(
        'ol',
        { class: 'question-drafts' },
        drafts.map((d, i) => {
          const id = `qe-${d.key}`
          const choice = d.kind === 'single' || d.kind === 'multiple'
          return h(
            'li',
            { key: d.key },
            h(
              'fieldset',
              {},
              h('legend', {}, t('qEdit.question', { n: i + 1 })),
              field(
                t('qEdit.kind'),
                h(
                  'select',
                  { id: `${id}-kind`, value: d.kind, onChange: (e: Event) => editor.edit(d.key, { kind: (e.target as HTMLSelectElement).value as DraftQuestion['kind'] }) },
                  QUESTION_KINDS.map((k) => h('option', { key: k, value: k }, t(`qEdit.kind.${k}` as MessageKey))),
                ),
              ),
              field(t('qEdit.prompt'), h('input', { id: `${id}-prompt`, maxLength: 300, value: d.prompt, onInput: (e: Event) => editor.edit(d.key, { prompt: (e.target as HTMLInputElement).value }) })),
              choice
                ? field(
                    t('qEdit.options'),
                    h('textarea', { id: `${id}-options`, rows: 3, value: d.options, onInput: (e: Event) => editor.edit(d.key, { options: (e.target as HTMLTextAreaElement).value }) }),
                    t('qEdit.optionsHint', { max: MAX_OPTIONS }),
                  )
                : null,
              d.kind === 'rating'
                ? field(
                    t('qEdit.ratingMax'),
                    h('input', { id: `${id}-rating`, type: 'number', min: 2, max: 10, value: d.rating_max, onInput: (e: Event) => editor.edit(d.key, { rating_max: Math.min(10, Math.max(2, Number((e.target as HTMLInputElement).value) || 5)) }) }),
                  )
                : null,
              h(
                'div',
                { class: 'check' },
                h('input', { type: 'checkbox', id: `${id}-required`, checked: d.required, onChange: (e: Event) => editor.edit(d.key, { required: (e.target as HTMLInputElement).checked }) }),
                h('label', { for: `${id}-required` }, t('qEdit.required')),
              ),
              h(
                'p',
                { class: 'actions' },
                h('button', { type: 'button', id: `${id}-up`, disabled: i === 0, 'aria-label': t('qEdit.upOf', { n: i + 1 }), onClick: () => editor.move(d.key, -1) }, t('qEdit.up')),
                ' ',
                h('button', { type: 'button', id: `${id}-down`, disabled: i === drafts.length - 1, 'aria-label': t('qEdit.downOf', { n: i + 1 }), onClick: () => editor.move(d.key, 1) }, t('qEdit.down')),
                ' ',
                h('button', { type: 'button', id: `${id}-remove`, 'aria-label': t('qEdit.removeOf', { n: i + 1 }), onClick: () => editor.remove(d.key) }, t('qEdit.remove')),
              ),
            ),
          )
        }),
      ),
      h(
        'p',
        { class: 'actions' },
        h('button', { type: 'button', id: 'qe-add', disabled: drafts.length >= MAX_QUESTIONS, onClick: () => editor.add() }, t('qEdit.add')),
        ' ',
        h('button', { type: 'submit', id: 'qe-save' }, t('qEdit.save')),
      ),
      editor.notice.value ? h(Notice, { kind: 'status' }, editor.notice.value) : null,
      editor.error.value ? h(Notice, { kind: 'error' }, editor.error.value) : null,
    ),
  )
}
