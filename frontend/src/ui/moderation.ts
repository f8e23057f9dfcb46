/**
 * Moderation: the reports queue (hide a reported comment, or dismiss its reports and keep it up),
 * and the hidden comments, each restorable; every item names the proposal it belongs to.
 */
import type { Id, ModeratedComment, ModerationItem } from '../api'
import { formatDateTime } from '../i18n/format'
import { authorName } from './comments'
import { errorText, hasRole, type AppContext } from './context'
import { field, h } from './dom'

export class ModerationPanel {
  private items: ModerationItem[] = []
  private hidden: ModeratedComment[] = []
  /** proposal titles by id, fetched once for the items shown */
  private titles = new Map<Id, string>()
  private loaded = false
  private error?: string
  private reasons = new Map<number, string>()

  constructor(private readonly ctx: AppContext) {}

  async load() {
    if (!hasRole(this.ctx.user, 'moderator')) return
    try {
      const [items, hidden] = await Promise.all([this.ctx.api.moderationQueue(), this.ctx.api.hiddenComments()])
      this.items = items
      this.hidden = hidden
      this.error = undefined
      const missing = [...new Set([...items.map((i) => i.comment.proposal_id), ...hidden.map((c) => c.proposal_id)])].filter((id) => !this.titles.has(id))
      await Promise.all(
        missing.map(async (id) => {
          const p = await this.ctx.api.proposal(id).catch(() => undefined)
          this.titles.set(id, p ? p.title : `#${id}`)
        }),
      )
    } catch (err) {
      this.error = errorText(err)
    }
    this.loaded = true
    this.ctx.refresh()
  }

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    if (!hasRole(this.ctx.user, 'moderator')) return h('section', {}, h('h2', {}, t('mod.heading')), h('p', {}, t('mod.notAllowed')))
    return h(
      'section',
      { 'aria-labelledby': 'mod-h' },
      h('h2', { id: 'mod-h' }, t('mod.heading')),
      h('button', { type: 'button', id: 'mod-refresh', onclick: () => void this.load() }, t('buildings.refresh')),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error })) : null,
      !this.loaded
        ? h('p', { role: 'status' }, t('app.loading'))
        : this.items.length
          ? h('ul', { class: 'cards', 'aria-label': t('mod.heading') }, this.items.map((r) => this.renderItem(r.comment, r)))
          : h('p', { class: 'muted' }, t('mod.empty')),
      h('h3', { id: 'mod-hidden-h' }, t('mod.hiddenHeading')),
      !this.loaded
        ? null
        : this.hidden.length
          ? h('ul', { class: 'cards', 'aria-labelledby': 'mod-hidden-h' }, this.hidden.map((c) => this.renderItem(c)))
          : h('p', { class: 'muted' }, t('mod.noneHidden')),
    )
  }

  private renderItem(c: ModeratedComment, item?: ModerationItem): HTMLElement {
    const { t, plural, tag } = this.ctx.i18n
    const reasonId = `mod-reason-${item ? '' : 'hidden-'}${c.id}`
    const act = async (action: 'hide' | 'restore') => {
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
    const counts = new Map<string, number>()
    for (const r of item?.reports ?? []) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1)
    const title = this.titles.get(c.proposal_id) ?? `#${c.proposal_id}`
    return h(
      'li',
      { class: `card mod-item${item ? '' : ' mod-hidden'}` },
      h(
        'p',
        { class: 'mod-proposal' },
        t('mod.onProposal', { title }),
        ' ',
        h('button', { type: 'button', class: 'link', onclick: () => void this.ctx.openProposal(c.proposal_id, { commentId: c.id }) }, t('mod.open')),
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
      c.hidden_reason ? h('p', { class: 'muted' }, t('mod.hiddenBecause', { reason: c.hidden_reason })) : null,
      field(t('mod.reason'), h('input', { type: 'text', id: reasonId, value: this.reasons.get(c.id) ?? '', oninput: (e: Event) => this.reasons.set(c.id, (e.target as HTMLInputElement).value) })),
      h(
        'div',
        { class: 'actions' },
        c.state !== 'hidden' ? h('button', { type: 'button', onclick: () => void act('hide') }, t('mod.hide')) : null,
        // a visible comment's reports are dismissed by "restoring" it: it stays published
        c.state !== 'hidden' ? h('button', { type: 'button', onclick: () => void act('restore') }, t('mod.dismiss')) : null,
        c.state === 'hidden' ? h('button', { type: 'button', onclick: () => void act('restore') }, t('mod.restore')) : null,
      ),
    )
  }
}
