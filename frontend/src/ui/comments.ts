/** Comment threads of one proposal, the 3D-anchored comment form, reactions and reports. */
import { REPORT_REASONS, SENTIMENTS, TOPICS, type Comment, type CommentAnchor, type Id, type Proposal, type ReportReason, type Sentiment, type Topic } from '../api'
import type { PickedPoint } from '../core/mapview'
import { formatDateTime, formatNumber } from '../i18n/format'
import { errorText, type AppContext } from './context'
import { field, h, uid } from './dom'

const MAX_DEPTH = 3

export class CommentsView {
  private comments: Comment[] = []
  private error?: string
  private replyTo?: Id
  private anchor?: PickedPoint
  private picking = false
  private draft = { body: '', sentiment: 'neutral' as Sentiment, topics: new Set<Topic>() }

  constructor(
    private readonly ctx: AppContext,
    private readonly proposal: Proposal,
    private readonly focusId?: Id,
  ) {}

  async load() {
    try {
      this.comments = await this.ctx.api.comments(this.proposal.id)
    } catch (err) {
      this.error = errorText(err)
    }
    this.syncMap()
    const focus = this.comments.find((c) => String(c.id) === String(this.focusId))
    if (focus) this.show(focus)
    this.ctx.refresh()
  }

  /** A comment arriving over server-sent events. */
  receive(c: Comment) {
    if (String(c.proposal_id) !== String(this.proposal.id)) return
    const i = this.comments.findIndex((x) => String(x.id) === String(c.id))
    if (i >= 0) this.comments[i] = c
    else {
      this.comments.push(c)
      this.ctx.announce(this.ctx.i18n.t('comments.newLive', { name: c.author_name }))
    }
    this.syncMap()
    this.ctx.refresh()
  }

  private syncMap() {
    this.ctx.map?.setComments(this.comments, (c) => this.show(c))
  }

  /** Fly to the view the author saw and mark the comment selected (and in the URL). */
  show(c: Comment) {
    if (c.anchor?.camera) this.ctx.map?.flyTo(c.anchor.camera)
    this.ctx.select(this.proposal, c)
    requestAnimationFrame(() => document.getElementById(`comment-${c.id}`)?.focus())
  }

  render(): HTMLElement {
    const { t, plural } = this.ctx.i18n
    const published = this.comments.filter((c) => c.state === 'published')
    const roots = published.filter((c) => !c.parent_id)
    return h(
      'section',
      { 'aria-labelledby': 'comments-h', class: 'comments' },
      h('h3', { id: 'comments-h' }, t('comments.heading'), ' ', h('span', { class: 'muted' }, `(${plural('comments.count', published.length)})`)),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error })) : null,
      roots.length ? h('ol', { class: 'thread' }, roots.map((c) => this.renderComment(c, published, 1))) : h('p', { class: 'muted' }, t('comments.empty')),
      this.replyTo === undefined ? this.renderForm(undefined) : null,
    )
  }

  private renderComment(c: Comment, all: Comment[], depth: number): HTMLElement {
    const { t, plural, tag } = this.ctx.i18n
    const children = all.filter((x) => x.parent_id != null && String(x.parent_id) === String(c.id))
    const selected = String(this.ctx.selection.comment?.id) === String(c.id)
    const agrees = c.reactions?.agree ?? 0
    const reportId = uid('report')
    return h(
      'li',
      { class: selected ? 'comment selected' : 'comment' },
      h(
        'article',
        { id: `comment-${c.id}`, tabindex: '-1', 'aria-label': t('comments.by', { name: c.author_name, date: formatDateTime(c.created_at, tag) }) },
        h(
          'p',
          { class: 'meta' },
          h('span', { class: `sentiment ${c.sentiment}` }, t(`sentiment.${c.sentiment}`)),
          ' · ',
          t('comments.by', { name: c.author_name, date: formatDateTime(c.created_at, tag) }),
        ),
        c.topics.length ? h('p', { class: 'topics' }, c.topics.map((tp) => t(`topic.${tp}`)).join(', ')) : null,
        h('p', { class: 'body' }, c.body),
        h(
          'div',
          { class: 'actions' },
          c.anchor ? h('button', { type: 'button', onclick: () => this.show(c) }, t('comments.view', { name: c.author_name })) : null,
          h(
            'button',
            {
              type: 'button',
              'aria-pressed': c.my_reaction === 'agree' ? 'true' : 'false',
              disabled: !this.ctx.user,
              onclick: () => void this.toggleReaction(c),
            },
            `${t('comments.react')} (${formatNumber(agrees, tag)})`,
          ),
          depth < MAX_DEPTH
            ? h('button', { type: 'button', disabled: !this.ctx.user, onclick: () => { this.replyTo = c.id; this.ctx.refresh() } }, t('comments.reply'))
            : null,
          h(
            'span',
            { class: 'report' },
            h('label', { for: reportId, class: 'visually-hidden' }, t('comments.reportReason')),
            h('select', { id: reportId, disabled: !this.ctx.user }, REPORT_REASONS.map((r) => h('option', { value: r }, t(`report.${r}`)))),
            h(
              'button',
              {
                type: 'button',
                disabled: !this.ctx.user,
                onclick: () => void this.report(c, (document.getElementById(reportId) as HTMLSelectElement).value as ReportReason),
              },
              t('comments.report'),
            ),
          ),
        ),
        agrees ? h('p', { class: 'visually-hidden' }, plural('comments.reactions', agrees)) : null,
        this.replyTo !== undefined && String(this.replyTo) === String(c.id) ? this.renderForm(c) : null,
      ),
      children.length ? h('ol', { class: 'thread' }, children.map((x) => this.renderComment(x, all, depth + 1))) : null,
    )
  }

  private async toggleReaction(c: Comment) {
    try {
      const updated = c.my_reaction === 'agree' ? (await this.ctx.api.unreact(c.id), undefined) : await this.ctx.api.react(c.id, 'agree')
      if (updated) this.receive(updated)
      else this.comments = await this.ctx.api.comments(this.proposal.id)
      this.ctx.refresh()
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  private async report(c: Comment, reason: ReportReason) {
    try {
      await this.ctx.api.report(c.id, reason)
      this.ctx.announce(this.ctx.i18n.t('comments.reported'))
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  private renderForm(parent: Comment | undefined): HTMLElement {
    const { t } = this.ctx.i18n
    if (!this.ctx.user) return h('p', { class: 'muted' }, t('app.signInToUse'))
    const body = h('textarea', { name: 'body', rows: '3', required: true, maxlength: '4000', oninput: (e: Event) => (this.draft.body = (e.target as HTMLTextAreaElement).value) }, this.draft.body)
    const sentiments = h(
      'fieldset',
      { class: 'segmented' },
      h('legend', {}, t('comments.sentiment')),
      SENTIMENTS.map((s) => {
        const id = uid('sent')
        return h(
          'span',
          {},
          h('input', { type: 'radio', name: `sentiment-${parent?.id ?? 'root'}`, id, value: s, checked: this.draft.sentiment === s, onchange: () => (this.draft.sentiment = s) }),
          h('label', { for: id }, t(`sentiment.${s}`)),
        )
      }),
    )
    const topics = h(
      'fieldset',
      { class: 'checks' },
      h('legend', {}, t('comments.topics')),
      TOPICS.map((tp) => {
        const id = uid('topic')
        return h(
          'span',
          {},
          h('input', {
            type: 'checkbox',
            id,
            value: tp,
            checked: this.draft.topics.has(tp),
            onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? this.draft.topics.add(tp) : this.draft.topics.delete(tp)),
          }),
          h('label', { for: id }, t(`topic.${tp}`)),
        )
      }),
    )
    const anchorText = this.picking
      ? t('comments.anchorWaiting')
      : this.anchor
        ? `${t('comments.anchorSet', { lat: this.anchor.point.lat.toFixed(5), lon: this.anchor.point.lon.toFixed(5) })}${this.anchor.building?.building_id ? ` ${t('comments.anchorBuilding', { id: String(this.anchor.building.building_id) })}` : ''}`
        : t('comments.anchorNone')
    const anchor = parent
      ? null
      : h(
          'fieldset',
          { class: 'anchor' },
          h('legend', {}, t('comments.anchor')),
          h('p', { role: 'status', class: 'anchor-status' }, anchorText),
          h('button', { type: 'button', class: 'pick-anchor', disabled: !this.ctx.map, onclick: () => void this.pick() }, t('comments.anchorClick')),
          h('button', { type: 'button', disabled: !this.ctx.map, onclick: () => { this.anchor = this.ctx.map?.centrePoint(); this.ctx.refresh() } }, t('comments.anchorCentre')),
        )
    return h(
      'form',
      { class: 'comment-form', 'aria-label': parent ? t('comments.replyTo', { name: parent.author_name }) : t('comments.new'), onsubmit: (e: Event) => { e.preventDefault(); void this.submit(parent) } },
      h('h4', {}, parent ? t('comments.replyTo', { name: parent.author_name }) : t('comments.new')),
      field(t('comments.body'), body),
      sentiments,
      topics,
      anchor,
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('comments.submit')), parent ? h('button', { type: 'button', onclick: () => { this.replyTo = undefined; this.ctx.refresh() } }, t('app.cancel')) : null),
    )
  }

  private async pick() {
    if (!this.ctx.map) return
    this.picking = true
    this.ctx.refresh()
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && this.ctx.map?.cancelPick()
    document.addEventListener('keydown', onKey)
    const picked = await this.ctx.map.pickPoint()
    document.removeEventListener('keydown', onKey)
    this.picking = false
    if (picked) this.anchor = picked
    this.ctx.refresh()
  }

  private async submit(parent: Comment | undefined) {
    const { t } = this.ctx.i18n
    const a = parent ? undefined : this.anchor
    const anchor: CommentAnchor | null = a ? { point: a.point, building_id: a.building?.building_id != null ? String(a.building.building_id) : null, camera: a.camera } : null
    try {
      const created = await this.ctx.api.postComment(this.proposal.id, {
        body: this.draft.body.trim(),
        sentiment: this.draft.sentiment,
        topics: [...this.draft.topics],
        parent_id: parent?.id ?? null,
        anchor,
      })
      this.draft = { body: '', sentiment: 'neutral', topics: new Set() }
      this.anchor = undefined
      this.replyTo = undefined
      this.receive(created)
      this.ctx.announce(t('comments.posted'))
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }
}
