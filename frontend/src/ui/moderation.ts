/**
 * Moderation: the reports queue (hide a reported comment, or dismiss its reports and keep it up),
 * and the hidden comments, each restorable; every item names the proposal it belongs to.
 *
 * The example panel of the component pattern (README.md): a class holding the panel's state in
 * signals and its actions, and function components that render from them.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import type { Id, ModeratedComment, ModerationItem } from '../api'
import { formatDateTime } from '../i18n/format'
import { authorName } from './comments'
import { field } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { store, useI18n } from './store'

export class ModerationPanel {
  readonly items = signal<ModerationItem[]>([])
  readonly hidden = signal<ModeratedComment[]>([])
  /** proposal titles by id, fetched once for the items shown */
  readonly titles = signal<ReadonlyMap<Id, string>>(new Map())
  readonly loaded = signal(false)
  readonly error = signal<string | undefined>(undefined)
  /** the reason typed for each comment (kept while the list reloads) */
  readonly reasons = new Map<Id, string>()

  constructor(readonly ctx: AppContext) {}

  async load() {
    if (!hasRole(store.user.value, 'moderator')) return
    try {
      const [items, hidden] = await Promise.all([this.ctx.api.moderationQueue(), this.ctx.api.hiddenComments()])
      const titles = new Map(this.titles.value)
      const missing = [...new Set([...items.map((i) => i.comment.proposal_id), ...hidden.map((c) => c.proposal_id)])].filter((id) => !titles.has(id))
      await Promise.all(
        missing.map(async (id) => {
          const p = await this.ctx.api.proposal(id).catch(() => undefined)
          titles.set(id, p ? p.title : `#${id}`)
        }),
      )
      this.titles.value = titles
      this.items.value = items
      this.hidden.value = hidden
      this.error.value = undefined
    } catch (err) {
      this.error.value = errorText(err)
    }
    this.loaded.value = true
  }

  /** Hide or restore a comment (restoring a published one dismisses its reports). */
  async act(c: ModeratedComment, action: 'hide' | 'restore', reasonId: string) {
    const { t } = this.ctx.i18n
    const reason = (this.reasons.get(c.id) ?? '').trim()
    if (!reason) {
      this.ctx.announce(t('mod.reasonNeeded'))
      document.getElementById(reasonId)?.focus()
      return
    }
    try {
      await this.ctx.api.moderate(c.id, action, reason)
      this.reasons.delete(c.id)
      this.ctx.announce(t('mod.done'))
      await this.load()
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  /** Dismiss one report (its reporter's), with the reason typed for the comment. */
  async dismissReport(c: ModeratedComment, reportId: Id, reasonId: string) {
    const { t } = this.ctx.i18n
    const reason = (this.reasons.get(c.id) ?? '').trim()
    if (!reason) {
      this.ctx.announce(t('mod.reasonNeeded'))
      document.getElementById(reasonId)?.focus()
      return
    }
    try {
      await this.ctx.api.dismissReport(reportId, reason)
      this.ctx.announce(t('mod.reportDismissed'))
      await this.load()
      // focus stays on the comment: its next report's button, or its reason field
      const next = document.querySelector<HTMLElement>(`#mod-reports-${c.id} button`) ?? document.getElementById(reasonId)
      next?.focus()
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  render(): JSX.Element {
    return h(ModerationView, { panel: this })
  }
}

export function ModerationView({ panel }: { panel: ModerationPanel }) {
  const { t } = useI18n(panel.ctx)
  if (!hasRole(store.user.value, 'moderator')) return h('section', {}, h('h2', {}, t('mod.heading')), h('p', {}, t('mod.notAllowed')))
  const loaded = panel.loaded.value
  const items = panel.items.value
  const hidden = panel.hidden.value
  return h(
    'section',
    { 'aria-labelledby': 'mod-h' },
    h('h2', { id: 'mod-h' }, t('mod.heading')),
    h('button', { type: 'button', id: 'mod-refresh', onClick: () => void panel.load() }, t('buildings.refresh')),
    panel.error.value ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: panel.error.value })) : null,
    !loaded
      ? h('p', { role: 'status' }, t('app.loading'))
      : items.length
        ? h(
            'ul',
            { class: 'cards', 'aria-label': t('mod.heading') },
            items.map((r) => h(ModerationCard, { key: `q${r.comment.id}`, panel, comment: r.comment, item: r })),
          )
        : h('p', { class: 'muted' }, t('mod.empty')),
    h('h3', { id: 'mod-hidden-h' }, t('mod.hiddenHeading')),
    !loaded
      ? null
      : hidden.length
        ? h('ul', { class: 'cards', 'aria-labelledby': 'mod-hidden-h' }, hidden.map((c) => h(ModerationCard, { key: `h${c.id}`, panel, comment: c })))
        : h('p', { class: 'muted' }, t('mod.noneHidden')),
  )
}

function ModerationCard({ panel, comment: c, item }: { panel: ModerationPanel; comment: ModeratedComment; item?: ModerationItem }) {
  const { t, plural, tag } = useI18n(panel.ctx)
  const reasonId = `mod-reason-${item ? '' : 'hidden-'}${c.id}`
  const counts = new Map<string, number>()
  for (const r of item?.reports ?? []) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1)
  const title = panel.titles.value.get(c.proposal_id) ?? `#${c.proposal_id}`
  return h(
    'li',
    { class: `card mod-item${item ? '' : ' mod-hidden'}` },
    h(
      'p',
      { class: 'mod-proposal' },
      t('mod.onProposal', { title }),
      ' ',
      h('button', { type: 'button', class: 'link', onClick: () => void panel.ctx.openProposal(c.proposal_id, { commentId: c.id }) }, t('mod.open')),
    ),
    h(
      'p',
      {},
      counts.size ? [h('strong', {}, [...counts].map(([r, n]) => `${t(`report.${r as 'spam'}`)} ×${n}`).join(', ')), ' · '] : null,
      t('comments.by', { name: authorName(c, t('comments.anonymous')), date: formatDateTime(c.created_at, tag) }),
      ' · ',
      h('span', { class: `badge state-${c.state}` }, t(`commentState.${c.state}`)),
    ),
    h('blockquote', {}, c.body ?? ''),
    h('p', { class: 'muted' }, plural('mod.reports', c.report_count)),
    item?.reports.length ? h(ReportList, { panel, comment: c, item, reasonId }) : null,
    c.hidden_reason ? h('p', { class: 'muted' }, t('mod.hiddenBecause', { reason: c.hidden_reason })) : null,
    field(
      t('mod.reason'),
      h('input', {
        type: 'text',
        id: reasonId,
        value: panel.reasons.get(c.id) ?? '',
        onInput: (e: Event) => panel.reasons.set(c.id, (e.target as HTMLInputElement).value),
      }),
    ),
    h(
      'div',
      { class: 'actions' },
      c.state !== 'hidden' ? h('button', { type: 'button', onClick: () => void panel.act(c, 'hide', reasonId) }, t('mod.hide')) : null,
      // a visible comment's reports are dismissed by "restoring" it: it stays published
      c.state !== 'hidden' ? h('button', { type: 'button', onClick: () => void panel.act(c, 'restore', reasonId) }, t('mod.dismiss')) : null,
      c.state === 'hidden' ? h('button', { type: 'button', onClick: () => void panel.act(c, 'restore', reasonId) }, t('mod.restore')) : null,
    ),
  )
}

/** The open reports of a queued comment, each with who filed it and its own Dismiss. */
function ReportList({ panel, comment: c, item, reasonId }: { panel: ModerationPanel; comment: ModeratedComment; item: ModerationItem; reasonId: string }) {
  const { t, tag } = useI18n(panel.ctx)
  return h(
    'ul',
    { class: 'mod-reports', id: `mod-reports-${c.id}`, 'aria-label': t('mod.reportsHeading') },
    item.reports.map((r) => {
      const name = r.reporter?.display_name ?? t('mod.reporterGone')
      return h(
        'li',
        { key: r.id, class: 'mod-report' },
        h('span', {}, t('mod.reportBy', { reason: t(`report.${r.reason}`), name, date: formatDateTime(r.created_at, tag) })),
        r.details ? h('q', { class: 'wrap' }, r.details) : null,
        ' ',
        h(
          'button',
          // the name starts with the visible text (WCAG 2.5.3), then says whose report it is
          { type: 'button', class: 'dismiss-one', 'aria-label': `${t('mod.dismissOne')} (${name})`, onClick: () => void panel.dismissReport(c, r.id, reasonId) },
          t('mod.dismissOne'),
        ),
      )
    }),
  )
}
