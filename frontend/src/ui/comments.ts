/** Comment threads of one proposal, the 3D-anchored comment form, reactions, reports, live updates. */
import {
  REPORT_REASONS,
  SENTIMENTS,
  TOPICS,
  type Comment,
  type Id,
  type Proposal,
  type ProposalEvent,
  type ReactionKind,
  type ReportReason,
  type Sentiment,
  type Topic,
} from '../api'
import { anchorCamera, applyEvent, childrenOf, flattenComments, shownInThread, toApiAnchor } from '../core/comments'
import type { PickedPoint } from '../core/mapview'
import { formatDateTime, formatNumber } from '../i18n/format'
import { buildingLabel } from '../core/building'
import { errorText, type AppContext } from './context'
import { field, h, uid } from './dom'
import { signInPrompt } from './signin'
import { store } from './store'

export function authorName(c: Comment, fallback: string): string {
  return c.author?.display_name || fallback
}

export class CommentsView {
  private comments: Comment[] = []
  private total = 0
  private error?: string
  private replyTo?: Id
  private anchor?: PickedPoint
  private picking = false
  private sending = false
  private draft = { body: '', sentiment: 'neutral' as Sentiment, topics: new Set<Topic>() }

  constructor(
    private readonly ctx: AppContext,
    private proposal: Proposal,
    private readonly focusId?: Id,
  ) {}

  async load() {
    try {
      const page = await this.ctx.api.comments(this.proposal.id)
      this.comments = flattenComments(page.items)
      this.total = page.total
      this.error = undefined
    } catch (err) {
      this.error = errorText(err)
    }
    this.syncMap()
    const focus = this.comments.find((c) => c.id === this.focusId)
    if (focus) this.show(focus)
    this.ctx.refresh()
  }

  /** The same proposal, fetched again (a stage change opens or closes comments at once). */
  update(p: Proposal) {
    if (p.id === this.proposal.id) this.proposal = p
  }

  /** A live event of this proposal (server-sent events). */
  receive(ev: ProposalEvent) {
    const outcome = applyEvent(this.comments, ev)
    if (outcome === 'ignored') return
    if (ev.type === 'comment_created' && outcome === 'added') {
      if (!ev.comment.parent_id) this.total += 1
      this.ctx.announce(this.ctx.i18n.t('comments.newLive', { name: authorName(ev.comment, this.ctx.i18n.t('comments.anonymous')) }))
    }
    this.syncMap()
    this.ctx.refresh()
  }

  private syncMap() {
    this.ctx.map?.setComments(this.comments, (c) => this.show(c))
  }

  /** Fly to the view the author saw and mark the comment selected (and in the URL). */
  show(c: Comment) {
    const camera = anchorCamera(c.anchor)
    if (camera) this.ctx.map?.flyTo(camera)
    this.ctx.selectComment(c.id)
    requestAnimationFrame(() => document.getElementById(`comment-${c.id}`)?.focus())
  }

  render(): HTMLElement {
    const { t, plural } = this.ctx.i18n
    const published = this.comments.filter((c) => c.state === 'published')
    const shown = shownInThread(this.comments)
    const roots = childrenOf(shown, null)
    const open = this.proposal.stage === 'consultation'
    return h(
      'section',
      { 'aria-labelledby': 'comments-h', class: 'comments' },
      h('h3', { id: 'comments-h' }, t('comments.heading'), ' ', h('span', { class: 'muted' }, `(${plural('comments.count', published.length)})`)),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error })) : null,
      roots.length ? h('ol', { class: 'thread' }, roots.map((c) => this.renderComment(c, shown, 1))) : h('p', { class: 'muted' }, t('comments.empty')),
      !open ? h('p', { class: 'muted' }, t('comments.closed')) : this.replyTo === undefined ? this.renderForm(undefined) : null,
    )
  }

  private renderComment(c: Comment, all: Comment[], depth: number): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const children = childrenOf(all, c.id)
    const replies = children.length ? h('ol', { class: 'thread' }, children.map((x) => this.renderComment(x, all, depth + 1))) : null
    if (c.state !== 'published') {
      // a placeholder that keeps the replies below it in place (see shownInThread)
      const notice = t(c.state === 'hidden' ? 'comments.hiddenNotice' : 'comments.deletedNotice')
      return h(
        'li',
        { class: 'comment gone' },
        h('article', { id: `comment-${c.id}`, tabindex: '-1', 'aria-label': notice }, h('p', { class: 'muted' }, notice)),
        replies,
      )
    }
    const selected = this.ctx.selection.commentId === c.id
    const name = authorName(c, t('comments.anonymous'))
    const reportId = `report-${c.id}`
    const signedIn = !!this.ctx.user
    // the API refuses a report of one's own comment: do not offer it
    const mine = signedIn && c.author?.id != null && c.author.id === this.ctx.user?.id
    const reaction = (kind: ReactionKind, label: string, count: number) =>
      h(
        'button',
        {
          type: 'button',
          class: `react react-${kind}`,
          'aria-pressed': c.my_reaction === kind ? 'true' : 'false',
          disabled: !signedIn,
          onclick: () => void this.toggleReaction(c, kind),
        },
        `${label} (${formatNumber(count, tag)})`,
      )
    return h(
      'li',
      { class: selected ? 'comment selected' : 'comment' },
      h(
        'article',
        { id: `comment-${c.id}`, tabindex: '-1', 'aria-label': t('comments.by', { name, date: formatDateTime(c.created_at, tag) }) },
        h(
          'p',
          { class: 'meta' },
          c.sentiment ? h('span', { class: `sentiment ${c.sentiment}` }, t(`sentiment.${c.sentiment}`)) : null,
          c.sentiment ? ' · ' : null,
          t('comments.by', { name, date: formatDateTime(c.created_at, tag) }),
        ),
        c.topics.length ? h('p', { class: 'topics' }, c.topics.map((tp) => t(`topic.${tp}`)).join(', ')) : null,
        h('p', { class: 'body' }, c.body ?? ''),
        h(
          'div',
          { class: 'actions' },
          c.anchor?.camera || c.anchor?.point ? h('button', { type: 'button', onclick: () => this.show(c) }, t('comments.view', { name })) : null,
          reaction('agree', t('comments.react'), c.agree_count),
          reaction('disagree', t('comments.disagree'), c.disagree_count),
          depth < (store.vocab.value?.limits.thread_depth ?? Infinity) && this.proposal.stage === 'consultation'
            ? h(
                'button',
                {
                  type: 'button',
                  disabled: !signedIn,
                  onclick: () => {
                    this.replyTo = c.id
                    this.ctx.refresh()
                  },
                },
                t('comments.reply'),
              )
            : null,
          signedIn && !mine
            ? h(
                'span',
                { class: 'report' },
                h('label', { for: reportId, class: 'visually-hidden' }, t('comments.reportReason')),
                h('select', { id: reportId }, REPORT_REASONS.map((r) => h('option', { value: r }, t(`report.${r}`)))),
                h(
                  'button',
                  { type: 'button', onclick: () => void this.report(c, (document.getElementById(reportId) as HTMLSelectElement).value as ReportReason) },
                  t('comments.report'),
                ),
              )
            : null,
        ),
        this.replyTo !== undefined && this.replyTo === c.id ? this.renderForm(c) : null,
      ),
      replies,
    )
  }

  private async toggleReaction(c: Comment, kind: ReactionKind) {
    try {
      const counts = c.my_reaction === kind ? await this.ctx.api.unreact(c.id) : await this.ctx.api.react(c.id, kind)
      const i = this.comments.findIndex((x) => x.id === c.id)
      if (i >= 0) this.comments[i] = { ...this.comments[i], ...counts, id: c.id }
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
    if (!this.ctx.user) return signInPrompt(this.ctx)
    const key = parent ? `reply-${parent.id}` : 'new'
    const body = h(
      'textarea',
      { name: 'body', id: `comment-body-${key}`, rows: '3', required: true, maxlength: store.vocab.value?.limits.comment_max_length, oninput: (e: Event) => (this.draft.body = (e.target as HTMLTextAreaElement).value) },
      this.draft.body,
    )
    const sentiments = h(
      'fieldset',
      { class: 'segmented' },
      h('legend', {}, t('comments.sentiment')),
      SENTIMENTS.map((s) => {
        const id = uid('sent')
        return h(
          'span',
          {},
          h('input', { type: 'radio', name: `sentiment-${key}`, id, value: s, checked: this.draft.sentiment === s, onchange: () => (this.draft.sentiment = s) }),
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
    const a = this.anchor
    // the building by its name or address (a scheme's by its block), never its internal id
    const label = a?.building ? buildingLabel(a.building) : undefined
    const on =
      label?.kind === 'named'
        ? ` ${t('comments.anchorOn', { name: label.text })}`
        : label?.kind === 'block'
          ? ` ${t('comments.anchorBlock', { block: label.block })}`
          : label
            ? ` ${t('comments.anchorUnnamed')}`
            : ''
    const anchorText = this.picking
      ? t('comments.anchorWaiting')
      : a
        ? `${t('comments.anchorSet', { lat: a.point.lat.toFixed(5), lon: a.point.lon.toFixed(5) })}${on}`
        : t('comments.anchorNone')
    const anchor = parent
      ? null
      : h(
          'fieldset',
          { class: 'anchor' },
          h('legend', {}, t('comments.anchor')),
          h('p', { role: 'status', class: 'anchor-status' }, anchorText),
          h('button', { type: 'button', class: 'pick-anchor', id: 'pick-anchor', disabled: !this.ctx.map, onclick: () => void this.pick() }, t('comments.anchorClick')),
          h(
            'button',
            {
              type: 'button',
              id: 'anchor-centre',
              disabled: !this.ctx.map,
              onclick: () => {
                this.anchor = this.ctx.map?.centrePoint()
                this.ctx.refresh()
              },
            },
            t('comments.anchorCentre'),
          ),
          a
            ? h(
                'button',
                {
                  type: 'button',
                  onclick: () => {
                    this.anchor = undefined
                    this.ctx.refresh()
                  },
                },
                t('comments.anchorClear'),
              )
            : null,
        )
    return h(
      'form',
      {
        class: 'comment-form',
        'aria-label': parent ? t('comments.replyTo', { name: authorName(parent, t('comments.anonymous')) }) : t('comments.new'),
        onsubmit: (e: Event) => {
          e.preventDefault()
          void this.submit(parent)
        },
      },
      h('h4', {}, parent ? t('comments.replyTo', { name: authorName(parent, t('comments.anonymous')) }) : t('comments.new')),
      field(t('comments.body'), body),
      sentiments,
      parent ? null : topics,
      anchor,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary', disabled: this.sending }, t('comments.submit')),
        parent
          ? h(
              'button',
              {
                type: 'button',
                onclick: () => {
                  this.replyTo = undefined
                  this.ctx.refresh()
                },
              },
              t('app.cancel'),
            )
          : null,
      ),
    )
  }

  /** Anchor the new comment at a point picked already (the building card's "comment on this
   *  building") and move to its text. */
  anchorAt(picked: PickedPoint) {
    this.anchor = picked
    this.ctx.refresh()
    requestAnimationFrame(() => document.getElementById('comment-body-new')?.focus())
  }

  /** Capture the next click in the 3D view as the new comment's anchor. */
  async pick() {
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
    requestAnimationFrame(() => document.getElementById('pick-anchor')?.focus())
  }

  private async submit(parent: Comment | undefined) {
    const { t } = this.ctx.i18n
    const text = this.draft.body.trim()
    if (!text || this.sending) return
    const a = parent ? undefined : this.anchor
    const building = a?.building?.building_id
    this.sending = true
    try {
      const created = await this.ctx.api.postComment(this.proposal.id, {
        body: text,
        sentiment: this.draft.sentiment,
        topics: parent ? [] : [...this.draft.topics],
        parent_id: parent?.id ?? null,
        anchor: a ? toApiAnchor(a.point, a.camera, building != null ? String(building) : null) : null,
      })
      this.draft = { body: '', sentiment: 'neutral', topics: new Set() }
      this.anchor = undefined
      this.replyTo = undefined
      this.receive({ type: 'comment_created', comment: created, proposal_id: this.proposal.id })
      this.ctx.announce(t('comments.posted'))
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    } finally {
      this.sending = false
      this.ctx.refresh()
    }
  }
}
