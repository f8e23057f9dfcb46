/**
 * The planner's side of "you said, we did" (issue 14) on a proposal's page: the published
 * comments with their dispositions, grouping selected comments into a theme, and answering a
 * comment or a theme officially with a disposition (noted; scheme changed, with what changed;
 * not taken forward, with the reason). Everything the responses API can do
 * (createTheme, deleteTheme, respondToComment, respondToTheme). Mounted by `EngagementSections`
 * (engagement.ts) for planners; the backend checks that the planner may answer for this proposal.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Comment, Proposal } from '../api'
import { createTheme, deleteTheme, respondToComment, respondToTheme, type Disposition, type ResponseCreate } from '../api/engagement'
import type { MessageKey } from '../i18n'
import { field, Notice } from './components'
import { errorText, type AppContext } from './context'
import type { EngagementPanel } from './engagement'
import { useI18n } from './store'

export const DISPOSITIONS: Disposition[] = ['noted', 'scheme_changed', 'not_taken_forward']

/** What is being answered: one comment or one theme. */
export interface Target {
  kind: 'comment' | 'theme'
  id: number
  label: string
}

interface Draft {
  body: string
  disposition: Disposition
  change_made: string
  reason: string
}

const EMPTY: Draft = { body: '', disposition: 'noted', change_made: '', reason: '' }

export class PlannerLoop {
  readonly comments = signal<Comment[]>([])
  readonly selected = signal<number[]>([])
  readonly themeTitle = signal('')
  readonly target = signal<Target | undefined>(undefined)
  readonly draft = signal<Draft>(EMPTY)
  readonly notice = signal<string | undefined>(undefined)
  readonly error = signal<string | undefined>(undefined)

  constructor(readonly panel: EngagementPanel) {}

  get ctx(): AppContext {
    return this.panel.ctx
  }

  /** Published top-level comments: the ones a disposition counts (see YouSaidWeDid.counts). */
  async load(p: Proposal) {
    const out: Comment[] = []
    try {
      for (let offset = 0; offset < 1000; offset += 100) {
        const page = await this.ctx.api.comments(p.id, offset)
        out.push(...page.items)
        if (page.items.length < 100) break
      }
      this.comments.value = out.filter((c) => c.state === 'published' && c.parent_id === null)
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  toggle(id: number) {
    const now = this.selected.value
    this.selected.value = now.includes(id) ? now.filter((x) => x !== id) : [...now, id]
  }

  private async step(work: () => Promise<string>) {
    this.notice.value = this.error.value = undefined
    try {
      const message = await work()
      this.notice.value = message
      this.ctx.announce(message)
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  group(p: Proposal) {
    const { t } = this.ctx.i18n
    const title = this.themeTitle.value.trim()
    const ids = this.selected.value
    if (!ids.length) {
      this.error.value = t('planLoop.pickComments')
      return Promise.resolve()
    }
    if (!title) {
      this.error.value = t('planLoop.themeTitleNeeded')
      document.getElementById('theme-title')?.focus()
      return Promise.resolve()
    }
    return this.step(async () => {
      await createTheme(this.ctx.api, p.id, { title, comment_ids: ids })
      this.selected.value = []
      this.themeTitle.value = ''
      await this.panel.load(p, true)
      return t('planLoop.themeMade', { title, n: ids.length })
    })
  }

  removeTheme(p: Proposal, id: number, title: string) {
    const { t } = this.ctx.i18n
    return this.step(async () => {
      await deleteTheme(this.ctx.api, id)
      if (this.target.value?.kind === 'theme' && this.target.value.id === id) this.target.value = undefined
      await this.panel.load(p, true)
      return t('planLoop.themeDeleted', { title })
    })
  }

  open(target: Target, existing?: { body?: string; disposition?: Disposition; change_made?: string | null; reason?: string | null } | null) {
    this.notice.value = this.error.value = undefined
    this.target.value = target
    this.draft.value = {
      body: existing?.body ?? '',
      disposition: existing?.disposition ?? 'noted',
      change_made: existing?.change_made ?? '',
      reason: existing?.reason ?? '',
    }
    // the form renders on the next frame; put the planner in its first field
    setTimeout(() => document.getElementById('response-body')?.focus(), 0)
  }

  edit(patch: Partial<Draft>) {
    this.draft.value = { ...this.draft.value, ...patch }
  }

  /** The request body, or the id of the field that is missing (named to the planner). */
  body(): ResponseCreate | { missing: 'response-body' | 'response-change' | 'response-reason' } {
    const d = this.draft.value
    if (!d.body.trim()) return { missing: 'response-body' }
    if (d.disposition === 'scheme_changed' && !d.change_made.trim()) return { missing: 'response-change' }
    if (d.disposition === 'not_taken_forward' && !d.reason.trim()) return { missing: 'response-reason' }
    return {
      body: d.body.trim(),
      disposition: d.disposition,
      change_made: d.disposition === 'scheme_changed' ? d.change_made.trim() : null,
      reason: d.disposition === 'not_taken_forward' ? d.reason.trim() : null,
    }
  }

  respond(p: Proposal) {
    const { t } = this.ctx.i18n
    const target = this.target.value
    if (!target) return Promise.resolve()
    const body = this.body()
    if ('missing' in body) {
      const key = { 'response-body': 'planLoop.needBody', 'response-change': 'planLoop.needChange', 'response-reason': 'planLoop.needReason' }[body.missing] as MessageKey
      this.error.value = t(key)
      document.getElementById(body.missing)?.focus()
      return Promise.resolve()
    }
    return this.step(async () => {
      if (target.kind === 'comment') await respondToComment(this.ctx.api, target.id, body)
      else await respondToTheme(this.ctx.api, target.id, body)
      this.target.value = undefined
      await this.panel.load(p, true)
      return t('planLoop.answered', { what: target.label })
    })
  }
}

/** The planner's section: comments to select and answer, themes, and the response form. */
export function PlannerLoopSection({ loop, p }: { loop: PlannerLoop; p: Proposal }): JSX.Element {
  const { t } = useI18n(loop.ctx)
  useEffect(() => {
    void loop.load(p)
  }, [p.id])
  const said = loop.panel.said.value
  const byComment = new Map((said?.responses ?? []).map((r) => [r.comment_id, r]))
  const themeOf = new Map<number, string>()
  for (const th of said?.themes ?? []) for (const id of th.comment_ids) themeOf.set(id, th.title)
  const comments = loop.comments.value
  const selected = loop.selected.value
  return h(
    'section',
    { id: 'planner-loop', 'aria-labelledby': 'planner-loop-h', class: 'planner-loop' },
    h('h3', { id: 'planner-loop-h', tabindex: -1 }, t('planLoop.heading')),
    h('p', { class: 'hint' }, t('planLoop.intro')),
    loop.notice.value ? h(Notice, { kind: 'status' }, loop.notice.value) : null,
    loop.error.value ? h(Notice, { kind: 'error' }, loop.error.value) : null,
    comments.length
      ? h(
          'ul',
          { class: 'planner-comments', id: 'planner-comments' },
          comments.map((c) => {
            const r = byComment.get(c.id)
            const label = t('engage.onComment', { id: c.id })
            return h(
              'li',
              { key: c.id },
              h('input', { type: 'checkbox', id: `pick-${c.id}`, checked: selected.includes(c.id), onChange: () => loop.toggle(c.id) }),
              h(
                'label',
                { for: `pick-${c.id}` },
                h('strong', {}, `#${c.id} ${c.author?.display_name ?? ''}`),
                ' ',
                (c.body ?? '').slice(0, 160),
              ),
              h(
                'p',
                { class: 'muted' },
                r ? h('span', { class: 'badge' }, t(`engage.disposition.${r.disposition}` as MessageKey)) : t('planLoop.noResponse'),
                themeOf.has(c.id) ? ` · ${t('planLoop.inTheme', { title: themeOf.get(c.id)! })}` : '',
                ' ',
                h(
                  'button',
                  { type: 'button', class: 'link', id: `respond-${c.id}`, onClick: () => loop.open({ kind: 'comment', id: c.id, label }, r) },
                  r ? t('planLoop.changeResponse') : t('planLoop.respond'),
                ),
              ),
            )
          }),
        )
      : h('p', { class: 'muted' }, t('planLoop.noComments')),
    comments.length
      ? h(
          'form',
          { id: 'theme-form', class: 'inline', onSubmit: (e: Event) => (e.preventDefault(), void loop.group(p)) },
          field(
            t('planLoop.themeTitle'),
            h('input', { id: 'theme-title', maxLength: 200, value: loop.themeTitle.value, onInput: (e: Event) => (loop.themeTitle.value = (e.target as HTMLInputElement).value) }),
            t('planLoop.themeHint', { n: selected.length }),
          ),
          h('button', { type: 'submit', id: 'make-theme' }, t('planLoop.makeTheme')),
        )
      : null,
    said?.themes.length
      ? h(
          'div',
          {},
          h('h4', {}, t('planLoop.themes')),
          h(
            'ul',
            { id: 'planner-themes' },
            said.themes.map((th) =>
              h(
                'li',
                { key: th.id },
                h('strong', {}, th.title),
                ' ',
                h('span', { class: 'muted' }, t('planLoop.themeCount', { n: th.comment_ids.length })),
                ' ',
                th.response ? h('span', { class: 'badge' }, t(`engage.disposition.${th.response.disposition}` as MessageKey)) : null,
                ' ',
                h(
                  'button',
                  { type: 'button', class: 'link', id: `respond-theme-${th.id}`, onClick: () => loop.open({ kind: 'theme', id: th.id, label: th.title }, th.response) },
                  th.response ? t('planLoop.changeResponse') : t('planLoop.respond'),
                ),
                ' ',
                h(
                  'button',
                  { type: 'button', class: 'link', id: `delete-theme-${th.id}`, 'aria-label': t('planLoop.deleteThemeOf', { title: th.title }), onClick: () => void loop.removeTheme(p, th.id, th.title) },
                  t('planLoop.deleteTheme'),
                ),
              ),
            ),
          ),
        )
      : null,
    loop.target.value ? h(ResponseForm, { loop, p, target: loop.target.value }) : null,
  )
}

function ResponseForm({ loop, p, target }: { loop: PlannerLoop; p: Proposal; target: Target }) {
  const { t } = useI18n(loop.ctx)
  const d = loop.draft.value
  const text = (id: string, label: string, value: string, key: keyof Draft, hint?: string) =>
    field(label, h('textarea', { id, maxLength: 5000, value, onInput: (e: Event) => loop.edit({ [key]: (e.target as HTMLTextAreaElement).value }) }), hint)
  return h(
    'form',
    { id: 'response-form', 'aria-labelledby': 'response-form-h', onSubmit: (e: Event) => (e.preventDefault(), void loop.respond(p)) },
    h('h4', { id: 'response-form-h' }, t('planLoop.answering', { what: target.label })),
    text('response-body', t('planLoop.body'), d.body, 'body', t('planLoop.bodyHint')),
    h(
      'fieldset',
      {},
      h('legend', {}, t('planLoop.disposition')),
      DISPOSITIONS.map((x) =>
        h(
          'div',
          { key: x },
          h('input', { type: 'radio', name: 'disposition', id: `disposition-${x}`, value: x, checked: d.disposition === x, onChange: () => loop.edit({ disposition: x }) }),
          h('label', { for: `disposition-${x}` }, t(`engage.disposition.${x}` as MessageKey)),
        ),
      ),
    ),
    d.disposition === 'scheme_changed' ? text('response-change', t('planLoop.changeMade'), d.change_made, 'change_made') : null,
    d.disposition === 'not_taken_forward' ? text('response-reason', t('planLoop.reason'), d.reason, 'reason') : null,
    h(
      'p',
      { class: 'actions' },
      h('button', { type: 'submit', id: 'response-submit' }, t('planLoop.publish')),
      ' ',
      h('button', { type: 'button', id: 'response-cancel', onClick: () => (loop.target.value = undefined) }, t('planLoop.cancel')),
    ),
  )
}
