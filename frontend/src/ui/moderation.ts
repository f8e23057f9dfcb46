/** Moderation queue and per-proposal analytics (charts with table equivalents, 3D heat map). */
import type { ProposalAnalytics, Report } from '../api'
import { SENTIMENTS } from '../api'
import { formatDate, formatNumber } from '../i18n/format'
import { errorText, hasRole, type AppContext } from './context'
import { field, h } from './dom'

export class ModerationPanel {
  private reports: Report[] = []
  private error?: string
  private analytics?: ProposalAnalytics
  private heat = false

  constructor(private readonly ctx: AppContext) {}

  async load() {
    if (!hasRole(this.ctx.user, 'moderator', 'planner')) return
    try {
      this.reports = hasRole(this.ctx.user, 'moderator') ? await this.ctx.api.reports() : []
      const p = this.ctx.selection.proposal
      this.analytics = p ? await this.ctx.api.analytics(p.id) : undefined
      this.error = undefined
    } catch (err) {
      this.error = errorText(err)
    }
    this.ctx.refresh()
  }

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    if (!hasRole(this.ctx.user, 'moderator', 'planner')) return h('section', {}, h('h2', {}, t('mod.heading')), h('p', {}, t('mod.notAllowed')))
    return h(
      'section',
      { 'aria-labelledby': 'mod-h' },
      h('h2', { id: 'mod-h' }, t('mod.heading')),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error })) : null,
      this.reports.length ? h('ul', { class: 'cards' }, this.reports.map((r) => this.renderReport(r))) : h('p', { class: 'muted' }, t('mod.empty')),
      h('h2', {}, t('mod.analytics')),
      this.analytics ? this.renderAnalytics(this.analytics) : h('p', { class: 'muted' }, t('mod.selectProposal')),
    )
  }

  private renderReport(r: Report): HTMLElement {
    const { t } = this.ctx.i18n
    const reason = h('input', { type: 'text', required: true })
    const act = async (action: 'hide' | 'restore') => {
      try {
        await this.ctx.api.moderate(r.comment.id, action, reason.value)
        this.ctx.announce(t('mod.done'))
        await this.load()
      } catch (err) {
        this.ctx.announce(t('account.failed', { detail: errorText(err) }))
      }
    }
    return h(
      'li',
      { class: 'card' },
      h('p', {}, h('strong', {}, t(`report.${r.reason}`)), ' · ', r.comment.author_name),
      h('blockquote', {}, r.comment.body),
      field(t('mod.reason'), reason),
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => void act('hide') }, t('mod.hide')), h('button', { type: 'button', onclick: () => void act('restore') }, t('mod.restore'))),
    )
  }

  private renderAnalytics(a: ProposalAnalytics): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const topics = Object.keys(a.sentiment_by_topic)
    const max = Math.max(1, ...a.comments_per_day.map((d) => d.count))
    return h(
      'div',
      {},
      h(
        'table',
        {},
        h('caption', {}, t('mod.sentimentByTopic')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('comments.topics')), SENTIMENTS.map((s) => h('th', { scope: 'col' }, t(`sentiment.${s}`))))),
        h('tbody', {}, topics.map((tp) => h('tr', {}, h('th', { scope: 'row' }, tp in { design: 1, use: 1, light: 1, privacy: 1, access: 1, noise: 1, traffic: 1, other: 1 } ? t(`topic.${tp as 'other'}`) : tp), SENTIMENTS.map((s) => h('td', {}, formatNumber(a.sentiment_by_topic[tp][s] ?? 0, tag)))))),
      ),
      h(
        'figure',
        { class: 'bars' },
        h('figcaption', {}, t('mod.overTime')),
        h('ol', {}, a.comments_per_day.map((d) => h('li', {}, h('span', { class: 'bar-label' }, formatDate(d.date, tag)), h('span', { class: 'bar', style: `width:${(100 * d.count) / max}%` }), h('span', {}, formatNumber(d.count, tag))))),
      ),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'mod-heat', checked: this.heat, disabled: !this.ctx.map, onchange: (e: Event) => { this.heat = (e.target as HTMLInputElement).checked; this.ctx.map?.setHeatmap(this.heat ? a.heat : undefined) } }), h('label', { for: 'mod-heat' }, t('mod.heatmap'))),
    )
  }
}
