/**
 * Comment threads of one proposal, the 3D-anchored comment form, reactions, reports, live updates.
 *
 * A Preact panel (README.md): the threads render from `comments` (a keyed list: a new or changed
 * comment leaves the other items' DOM nodes in place); the form's text is a signal bound straight
 * to the textarea, so typing renders nothing; which comment is selected or being replied to is a
 * computed per item, so choosing one renders that item and the one before, not the list.
 */
import { computed, signal, useComputed, type Signal } from '@preact/signals'
import { h, type JSX } from 'preact'
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
import { buildingLabel } from '../core/building'
import { anchorCamera, applyEvent, childrenOf, flattenComments, shownInThread, toApiAnchor } from '../core/comments'
import type { PickedPoint } from '../core/mapview'
import { shownVariant } from '../core/variants'
import { formatDateTime, formatNumber } from '../i18n/format'
import { field } from './components'
import { errorText, type AppContext } from './context'
import { SignInPrompt } from './signin'
import { store, useI18n } from './store'

export function authorName(c: Comment, fallback: string): string {
  return c.author?.display_name || fallback
}

export class CommentsView {
  readonly comments = signal<Comment[]>([])
  readonly total = signal(0)
  readonly error = signal<string | undefined>(undefined)
  readonly proposal: Signal<Proposal>
  /** the comment whose reply form is open */
  readonly replyTo = signal<Id | undefined>(undefined)
  /** the new comment's anchor in 3D, and whether the next click in the view sets it */
  readonly anchor = signal<PickedPoint | undefined>(undefined)
  readonly picking = signal(false)
  readonly sending = signal(false)
  /** the form being written (one at a time: the new comment's or a reply's) */
  readonly draft = {
    body: signal(''),
    sentiment: signal<Sentiment>('neutral'),
    topics: signal<ReadonlySet<Topic>>(new Set()),
    /** the design variant the comment is about: null the scheme as a whole; undefined not picked
     *  yet, which means the variant shown alone in 3D (see `variantChoice`) */
    variant: signal<Id | null | undefined>(undefined),
  }
  /** the comments shown in the threads (published, and placeholders that keep replies in place) */
  readonly shown = computed(() => shownInThread(this.comments.value))

  constructor(
    readonly ctx: AppContext,
    proposal: Proposal,
    private readonly focusId?: Id,
  ) {
    this.proposal = signal(proposal)
  }

  async load() {
    try {
      const page = await this.ctx.api.comments(this.proposal.value.id)
      this.comments.value = flattenComments(page.items)
      this.total.value = page.total
      this.error.value = undefined
    } catch (err) {
      this.error.value = errorText(err)
    }
    this.syncMap()
    const focus = this.comments.value.find((c) => c.id === this.focusId)
    if (focus) this.show(focus)
  }

  /** The same proposal, fetched again (a stage change opens or closes comments at once). */
  update(p: Proposal) {
    if (p.id === this.proposal.value.id) this.proposal.value = p
  }

  /** A live event of this proposal (server-sent events). */
  receive(ev: ProposalEvent) {
    const list = [...this.comments.value]
    const outcome = applyEvent(list, ev)
    if (outcome === 'ignored') return
    this.comments.value = list
    if (ev.type === 'comment_created' && outcome === 'added') {
      if (!ev.comment.parent_id) this.total.value += 1
      this.ctx.announce(this.ctx.i18n.t('comments.newLive', { name: authorName(ev.comment, this.ctx.i18n.t('comments.anonymous')) }))
    }
    this.syncMap()
  }

  private syncMap() {
    this.ctx.map?.setComments(this.comments.value, (c) => this.show(c))
  }

  /** Fly to the view the author saw and mark the comment selected (and in the URL); focus moves to it. */
  show(c: Comment) {
    const camera = anchorCamera(c.anchor)
    if (camera) this.ctx.map?.flyTo(camera)
    this.ctx.selectComment(c.id)
    requestAnimationFrame(() => document.getElementById(`comment-${c.id}`)?.focus())
  }

  async toggleReaction(c: Comment, kind: ReactionKind) {
    try {
      const counts = c.my_reaction === kind ? await this.ctx.api.unreact(c.id) : await this.ctx.api.react(c.id, kind)
      this.comments.value = this.comments.value.map((x) => (x.id === c.id ? { ...x, ...counts, id: c.id } : x))
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  async report(c: Comment, reason: ReportReason) {
    try {
      await this.ctx.api.report(c.id, reason)
      this.ctx.announce(this.ctx.i18n.t('comments.reported'))
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  /** Anchor the new comment at a point picked already (the building card's "comment on this
   *  building") and move to its text. */
  anchorAt(picked: PickedPoint) {
    this.anchor.value = picked
    requestAnimationFrame(() => document.getElementById('comment-body-new')?.focus())
  }

  /** Capture the next click in the 3D view as the new comment's anchor. */
  async pick() {
    if (!this.ctx.map) return
    this.picking.value = true
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && this.ctx.map?.cancelPick()
    document.addEventListener('keydown', onKey)
    const picked = await this.ctx.map.pickPoint()
    document.removeEventListener('keydown', onKey)
    this.picking.value = false
    if (picked) this.anchor.value = picked
    // the click went to the 3D view: back to the button that started it
    requestAnimationFrame(() => document.getElementById('pick-anchor')?.focus())
  }

  /** The proposal's variants (two or more) for the picker and the list; undefined: it has none. */
  variants() {
    const view = store.variants.value
    return view && view.proposalId === this.proposal.value.id && view.items.length ? view : undefined
  }

  /** The variant the new comment is about: the one picked, else the one shown alone in 3D. */
  variantChoice(): Id | null {
    const view = this.variants()
    if (!view) return null
    const picked = this.draft.variant.value
    if (picked !== undefined) return picked !== null && view.items.some((v) => v.id === picked) ? picked : null
    return shownVariant(view, this.proposal.value.id) ?? null
  }

  toggleTopic(tp: Topic, on: boolean) {
    const next = new Set(this.draft.topics.value)
    if (on) next.add(tp)
    else next.delete(tp)
    this.draft.topics.value = next
  }

  async submit(parent: Comment | undefined) {
    const { t } = this.ctx.i18n
    const d = this.draft
    const text = d.body.value.trim()
    if (!text || this.sending.value) return
    const a = parent ? undefined : this.anchor.value
    const building = a?.building?.building_id
    const proposalId = this.proposal.value.id
    this.sending.value = true
    try {
      const created = await this.ctx.api.postComment(proposalId, {
        body: text,
        sentiment: d.sentiment.value,
        topics: parent ? [] : [...d.topics.value],
        parent_id: parent?.id ?? null,
        variant_id: parent ? null : this.variantChoice(),
        anchor: a ? toApiAnchor(a.point, a.camera, building != null ? String(building) : null) : null,
      })
      d.body.value = ''
      d.sentiment.value = 'neutral'
      d.topics.value = new Set()
      d.variant.value = undefined
      this.anchor.value = undefined
      this.replyTo.value = undefined
      this.receive({ type: 'comment_created', comment: created, proposal_id: proposalId })
      this.ctx.announce(t('comments.posted'))
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    } finally {
      this.sending.value = false
    }
  }

  render(): JSX.Element {
    return h(CommentsSection, { panel: this })
  }
}

export function CommentsSection({ panel }: { panel: CommentsView }) {
  const { t, plural } = useI18n(panel.ctx)
  const shown = panel.shown.value
  const published = panel.comments.value.filter((c) => c.state === 'published').length
  const roots = childrenOf(shown, null)
  const open = panel.proposal.value.stage === 'consultation'
  return h(
    'section',
    { 'aria-labelledby': 'comments-h', class: 'comments' },
    h('h3', { id: 'comments-h' }, t('comments.heading'), ' ', h('span', { class: 'muted' }, `(${plural('comments.count', published)})`)),
    panel.error.value ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: panel.error.value })) : null,
    roots.length
      ? h('ol', { class: 'thread' }, roots.map((c) => h(CommentItem, { key: c.id, panel, comment: c, all: shown, depth: 1 })))
      : h('p', { class: 'muted' }, t('comments.empty')),
    !open ? h('p', { class: 'muted' }, t('comments.closed')) : h(NewCommentForm, { panel }),
  )
}

/** The new comment's form, while no reply is being written. */
function NewCommentForm({ panel }: { panel: CommentsView }) {
  return panel.replyTo.value === undefined ? h(CommentForm, { panel }) : null
}

function CommentItem({ panel, comment: c, all, depth }: { panel: CommentsView; comment: Comment; all: Comment[]; depth: number }) {
  const { t, tag } = useI18n(panel.ctx)
  // these two change for one or two items at a time: each item follows its own
  const selected = useComputed(() => store.selection.value.commentId === c.id).value
  const replying = useComputed(() => panel.replyTo.value === c.id).value
  const children = childrenOf(all, c.id)
  const replies = children.length
    ? h('ol', { class: 'thread' }, children.map((x) => h(CommentItem, { key: x.id, panel, comment: x, all, depth: depth + 1 })))
    : null
  if (c.state !== 'published') {
    // a placeholder that keeps the replies below it in place (see shownInThread)
    const notice = t(c.state === 'hidden' ? 'comments.hiddenNotice' : 'comments.deletedNotice')
    return h(
      'li',
      { class: 'comment gone' },
      h('article', { id: `comment-${c.id}`, tabindex: -1, 'aria-label': notice }, h('p', { class: 'muted' }, notice)),
      replies,
    )
  }
  const name = authorName(c, t('comments.anonymous'))
  const me = store.user.value
  const signedIn = !!me
  // the API refuses a report of one's own comment: do not offer it
  const mine = signedIn && c.author?.id != null && c.author.id === me?.id
  const canReply = depth < (store.vocab.value?.limits.thread_depth ?? Infinity) && panel.proposal.value.stage === 'consultation'
  const reportId = `report-${c.id}`
  const reaction = (kind: ReactionKind, label: string, count: number) =>
    h(
      'button',
      {
        type: 'button',
        class: `react react-${kind}`,
        'aria-pressed': c.my_reaction === kind ? 'true' : 'false',
        disabled: !signedIn,
        onClick: () => void panel.toggleReaction(c, kind),
      },
      `${label} (${formatNumber(count, tag)})`,
    )
  const by = t('comments.by', { name, date: formatDateTime(c.created_at, tag) })
  return h(
    'li',
    { class: selected ? 'comment selected' : 'comment' },
    h(
      'article',
      { id: `comment-${c.id}`, tabindex: -1, 'aria-label': by },
      h(
        'p',
        { class: 'meta' },
        c.sentiment ? h('span', { class: `sentiment ${c.sentiment}` }, t(`sentiment.${c.sentiment}`)) : null,
        c.sentiment ? ' · ' : null,
        by,
        h(OnVariant, { panel, comment: c }),
      ),
      c.topics.length ? h('p', { class: 'topics' }, c.topics.map((tp) => t(`topic.${tp}`)).join(', ')) : null,
      h('p', { class: 'body' }, c.body ?? ''),
      h(
        'div',
        { class: 'actions' },
        c.anchor?.camera || c.anchor?.point ? h('button', { type: 'button', onClick: () => panel.show(c) }, t('comments.view', { name })) : null,
        reaction('agree', t('comments.react'), c.agree_count),
        reaction('disagree', t('comments.disagree'), c.disagree_count),
        canReply ? h('button', { type: 'button', disabled: !signedIn, onClick: () => (panel.replyTo.value = c.id) }, t('comments.reply')) : null,
        signedIn && !mine
          ? h(
              'span',
              { class: 'report' },
              h('label', { for: reportId, class: 'visually-hidden' }, t('comments.reportReason')),
              h('select', { id: reportId }, REPORT_REASONS.map((r) => h('option', { key: r, value: r }, t(`report.${r}`)))),
              h(
                'button',
                { type: 'button', onClick: () => void panel.report(c, (document.getElementById(reportId) as HTMLSelectElement).value as ReportReason) },
                t('comments.report'),
              ),
            )
          : null,
      ),
      replying ? h(CommentForm, { panel, parent: c }) : null,
    ),
    replies,
  )
}

function CommentForm({ panel, parent }: { panel: CommentsView; parent?: Comment }) {
  const { t } = useI18n(panel.ctx)
  if (!store.user.value) return h(SignInPrompt, { ctx: panel.ctx })
  const d = panel.draft
  const key = parent ? `reply-${parent.id}` : 'new'
  const heading = parent ? t('comments.replyTo', { name: authorName(parent, t('comments.anonymous')) }) : t('comments.new')
  const sentiment = d.sentiment.value
  const topics = d.topics.value
  return h(
    'form',
    {
      class: 'comment-form',
      'aria-label': heading,
      onSubmit: (e: Event) => {
        e.preventDefault()
        void panel.submit(parent)
      },
    },
    h('h4', {}, heading),
    field(
      t('comments.body'),
      h('textarea', {
        name: 'body',
        id: `comment-body-${key}`,
        rows: 3,
        required: true,
        maxlength: store.vocab.value?.limits.comment_max_length,
        value: d.body,
        onInput: (e: Event) => (d.body.value = (e.currentTarget as HTMLTextAreaElement).value),
      }),
    ),
    h(
      'fieldset',
      { class: 'segmented' },
      h('legend', {}, t('comments.sentiment')),
      SENTIMENTS.map((s) => {
        const id = `sent-${key}-${s}`
        return h(
          'span',
          { key: s },
          h('input', { type: 'radio', name: `sentiment-${key}`, id, value: s, checked: sentiment === s, onChange: () => (d.sentiment.value = s) }),
          h('label', { for: id }, t(`sentiment.${s}`)),
        )
      }),
    ),
    parent
      ? null
      : h(
          'fieldset',
          { class: 'checks' },
          h('legend', {}, t('comments.topics')),
          TOPICS.map((tp) => {
            const id = `topic-${key}-${tp}`
            return h(
              'span',
              { key: tp },
              h('input', {
                type: 'checkbox',
                id,
                value: tp,
                checked: topics.has(tp),
                onChange: (e: Event) => panel.toggleTopic(tp, (e.currentTarget as HTMLInputElement).checked),
              }),
              h('label', { for: id }, t(`topic.${tp}`)),
            )
          }),
        ),
    parent ? null : h(VariantPicker, { panel }),
    parent ? null : h(AnchorPicker, { panel }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', disabled: panel.sending.value }, t('comments.submit')),
      parent ? h('button', { type: 'button', onClick: () => (panel.replyTo.value = undefined) }, t('app.cancel')) : null,
    ),
  )
}

/** " · on variant B: two wings" in the meta line of a comment about one of the design variants. */
function OnVariant({ panel, comment: c }: { panel: CommentsView; comment: Comment }) {
  const { t } = useI18n(panel.ctx)
  const v = c.variant_id == null ? undefined : panel.variants()?.items.find((x) => x.id === c.variant_id)
  return v ? h('span', { class: 'on-variant' }, ` · ${t('comments.onVariant', { name: v.name })}`) : null
}

/** What the new comment is about, when the proposal has design variants: the scheme as a whole
 *  or one variant, the one shown alone in 3D until the person picks. */
function VariantPicker({ panel }: { panel: CommentsView }) {
  const { t } = useI18n(panel.ctx)
  const view = panel.variants()
  if (!view) return null
  const value = panel.variantChoice()
  return field(
    t('comments.aboutVariant'),
    h(
      'select',
      {
        id: 'comment-variant',
        name: 'variant',
        value: value === null ? '' : String(value),
        onChange: (e: Event) => {
          const raw = (e.currentTarget as HTMLSelectElement).value
          panel.draft.variant.value = raw === '' ? null : Number(raw)
        },
      },
      h('option', { value: '' }, t('comments.wholeScheme')),
      view.items.map((v) => h('option', { key: v.id, value: String(v.id) }, v.name)),
    ),
  )
}

/** Where the new comment points in 3D: a click in the view, the view's centre, or nowhere. */
function AnchorPicker({ panel }: { panel: CommentsView }) {
  const { t } = useI18n(panel.ctx)
  const a = panel.anchor.value
  const noMap = !store.mapReady.value
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
  const status = panel.picking.value
    ? t('comments.anchorWaiting')
    : a
      ? `${t('comments.anchorSet', { lat: a.point.lat.toFixed(5), lon: a.point.lon.toFixed(5) })}${on}`
      : t('comments.anchorNone')
  return h(
    'fieldset',
    { class: 'anchor' },
    h('legend', {}, t('comments.anchor')),
    h('p', { role: 'status', class: 'anchor-status' }, status),
    h('button', { type: 'button', class: 'pick-anchor', id: 'pick-anchor', disabled: noMap, onClick: () => void panel.pick() }, t('comments.anchorClick')),
    h('button', { type: 'button', id: 'anchor-centre', disabled: noMap, onClick: () => (panel.anchor.value = panel.ctx.map?.centrePoint()) }, t('comments.anchorCentre')),
    a ? h('button', { type: 'button', id: 'anchor-clear', onClick: () => (panel.anchor.value = undefined) }, t('comments.anchorClear')) : null,
  )
}
