/**
 * Consultation analytics for the selected proposal: sentiment by topic and comments over time as
 * small SVG charts, each with its table (the accessible equivalent), and the heat map in 3D.
 */
import type { ProposalAnalytics, Sentiment } from '../api'
import { SENTIMENTS } from '../api'
import { dailySeries, labelColumnWidth, niceMax, sentimentByTopic, stackSegments } from '../core/charts'
import { formatDate, formatNumber } from '../i18n/format'
import { errorText, hasRole, type AppContext } from './context'
import { h } from './dom'

const SVG = 'http://www.w3.org/2000/svg'
/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const SENTIMENT_COLOURS: Record<Sentiment, string> = { objection: '#d55e00', neutral: '#8a8a8a', supportive: '#0072b2' }

function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, ...children: (SVGElement | string)[]) {
  const el = document.createElementNS(SVG, tag)
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v))
  for (const c of children) el.append(c)
  return el
}

export class AnalyticsPanel {
  private data?: ProposalAnalytics
  private forId?: number
  private error?: string
  private heat = false

  constructor(private readonly ctx: AppContext) {}

  async load() {
    const p = this.ctx.selection.proposal
    if (!p || !hasRole(this.ctx.user, 'planner', 'moderator')) return
    try {
      this.data = await this.ctx.api.analytics(p.id)
      this.forId = p.id
      this.error = undefined
      if (this.heat) this.ctx.map?.setHeatmap(this.data.heatmap)
    } catch (err) {
      this.error = errorText(err)
    }
    this.ctx.refresh()
  }

  render(): HTMLElement {
    const { t, plural } = this.ctx.i18n
    const p = this.ctx.selection.proposal
    const head = h('h2', { id: 'analytics-h' }, t('analytics.heading'))
    if (!hasRole(this.ctx.user, 'planner', 'moderator')) return h('section', {}, head, h('p', {}, t('analytics.notAllowed')))
    if (!p) return h('section', { 'aria-labelledby': 'analytics-h' }, head, h('p', { class: 'muted' }, t('mod.selectProposal')))
    const a = this.data && this.forId === p.id ? this.data : undefined
    return h(
      'section',
      { 'aria-labelledby': 'analytics-h' },
      head,
      h('p', {}, h('strong', {}, p.title)),
      this.error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error })) : null,
      !a
        ? h('p', { role: 'status' }, t('app.loading'))
        : [
            h('p', {}, plural('comments.count', a.comment_count)),
            this.renderSentiment(a),
            this.renderOverTime(a),
            this.renderBuildings(a),
            h(
              'div',
              { class: 'check' },
              h('input', {
                type: 'checkbox',
                id: 'analytics-heat',
                checked: this.heat,
                disabled: !this.ctx.map,
                onchange: (e: Event) => {
                  this.heat = (e.target as HTMLInputElement).checked
                  this.ctx.map?.setHeatmap(this.heat ? a.heatmap : undefined)
                },
              }),
              h('label', { for: 'analytics-heat' }, t('mod.heatmap')),
            ),
            h('p', { class: 'hint' }, t('analytics.heatHint')),
          ],
    )
  }

  /** Leaving the tab keeps the heat map only while its box is ticked. */
  private renderSentiment(a: ProposalAnalytics): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const rows = sentimentByTopic(a)
    const topicName = (tp: string) => (['design', 'use', 'light', 'privacy', 'access', 'noise', 'traffic', 'other'].includes(tp) ? t(`topic.${tp as 'other'}`) : tp)
    if (!rows.length) return h('p', { class: 'muted' }, t('analytics.noTopics'))
    const max = Math.max(...rows.map((r) => r.total))
    // the label column fits the longest topic name of the language (Hungarian ones are long)
    const label = labelColumnWidth(rows.map((r) => topicName(r.topic)), 11)
    const W = 220 + label
    const bar = 16
    const gap = 6
    const height = rows.length * (bar + gap) + 4
    const svg = s(
      'svg',
      { viewBox: `0 0 ${W} ${height}`, width: '100%', role: 'img', 'aria-labelledby': 'chart-sentiment-cap', class: 'chart' },
      ...rows.flatMap((r, i) => {
        const y = i * (bar + gap)
        return [
          s('text', { x: label - 4, y: y + bar - 4, 'text-anchor': 'end', 'font-size': 11, fill: 'currentColor' }, topicName(r.topic)),
          ...stackSegments(r, max).map((seg) =>
            s('rect', { x: label + seg.x * (W - label - 4), y, width: Math.max(1, seg.width * (W - label - 4)), height: bar, fill: SENTIMENT_COLOURS[seg.sentiment] }, s('title', {}, `${topicName(r.topic)}: ${t(`sentiment.${seg.sentiment}`)} ${seg.count}`)),
          ),
        ]
      }),
    )
    return h(
      'figure',
      { class: 'chart-figure' },
      h('figcaption', { id: 'chart-sentiment-cap' }, t('mod.sentimentByTopic')),
      h('ul', { class: 'legend', 'aria-hidden': 'true' }, SENTIMENTS.map((x) => h('li', {}, h('span', { class: 'swatch', style: `background:${SENTIMENT_COLOURS[x]}` }), t(`sentiment.${x}`)))),
      svg,
      h(
        'details',
        {},
        h('summary', {}, t('analytics.table')),
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, t('mod.sentimentByTopic')),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('comments.topics')), SENTIMENTS.map((x) => h('th', { scope: 'col' }, t(`sentiment.${x}`))))),
          h('tbody', {}, rows.map((r) => h('tr', {}, h('th', { scope: 'row' }, topicName(r.topic)), SENTIMENTS.map((x) => h('td', {}, formatNumber(r.counts[x], tag)))))),
        ),
      ),
    )
  }

  private renderOverTime(a: ProposalAnalytics): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const days = dailySeries(a.over_time)
    if (!days.length) return h('p', { class: 'muted' }, t('analytics.noComments'))
    const W = 300
    const H = 110
    const left = 24
    const bottom = 18
    const max = niceMax(Math.max(...days.map((d) => d.count)))
    const bw = (W - left) / days.length
    const y = (v: number) => (H - bottom) * (1 - v / max)
    const svg = s(
      'svg',
      { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-labelledby': 'chart-time-cap', class: 'chart' },
      s('line', { x1: left, y1: H - bottom, x2: W, y2: H - bottom, stroke: 'currentColor', 'stroke-width': 1 }),
      s('text', { x: left - 3, y: 9, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, formatNumber(max, tag)),
      s('text', { x: left - 3, y: H - bottom, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, '0'),
      ...days.map((d, i) =>
        s('rect', { x: left + i * bw + 1, y: y(d.count), width: Math.max(1, bw - 2), height: H - bottom - y(d.count), fill: '#0072b2' }, s('title', {}, `${formatDate(d.day, tag)}: ${d.count}`)),
      ),
      s('text', { x: left, y: H - 4, 'font-size': 10, fill: 'currentColor' }, formatDate(days[0].day, tag)),
      s('text', { x: W, y: H - 4, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, formatDate(days[days.length - 1].day, tag)),
    )
    return h(
      'figure',
      { class: 'chart-figure' },
      h('figcaption', { id: 'chart-time-cap' }, t('mod.overTime')),
      svg,
      h(
        'details',
        {},
        h('summary', {}, t('analytics.table')),
        h(
          'table',
          {},
          h('caption', { class: 'visually-hidden' }, t('mod.overTime')),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('analytics.day')), h('th', { scope: 'col' }, t('comments.heading')))),
          h('tbody', {}, days.filter((d) => d.count > 0).map((d) => h('tr', {}, h('th', { scope: 'row' }, formatDate(d.day, tag)), h('td', {}, formatNumber(d.count, tag))))),
        ),
      ),
    )
  }

  private renderBuildings(a: ProposalAnalytics): HTMLElement | null {
    const { t, tag } = this.ctx.i18n
    if (!a.most_discussed_buildings.length) return null
    return h(
      'table',
      {},
      h('caption', {}, t('analytics.buildings')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('buildings.building')), h('th', { scope: 'col' }, t('comments.heading')))),
      h('tbody', {}, a.most_discussed_buildings.map((b) => h('tr', {}, h('th', { scope: 'row' }, b.name || b.building_id), h('td', {}, formatNumber(b.count, tag))))),
    )
  }
}
