/**
 * Consultation analytics for the selected proposal: sentiment by topic and comments over time as
 * small SVG charts, each with its table (the accessible equivalent), and the heat map in 3D.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import type { ProposalAnalytics, Sentiment } from '../api'
import { SENTIMENTS } from '../api'
import { dailySeries, labelColumnWidth, niceMax, sentimentByTopic, stackSegments } from '../core/charts'
import { formatDate, formatNumber } from '../i18n/format'
import { errorText, hasRole, type AppContext } from './context'
import { store, useI18n } from './store'

/** Okabe–Ito colours: distinguishable with the common colour-vision deficiencies. */
export const SENTIMENT_COLOURS: Record<Sentiment, string> = { objection: '#d55e00', neutral: '#8a8a8a', supportive: '#0072b2' }

const TOPICS = ['design', 'use', 'light', 'privacy', 'access', 'noise', 'traffic', 'other']

export class AnalyticsPanel {
  readonly data = signal<{ proposalId: number; analytics: ProposalAnalytics } | undefined>(undefined)
  readonly error = signal<string | undefined>(undefined)
  /** the heat map in 3D: kept while its box is ticked, also when leaving the tab */
  readonly heat = signal(false)

  constructor(readonly ctx: AppContext) {}

  async load() {
    const p = this.ctx.selection.proposal
    if (!p || !hasRole(this.ctx.user, 'planner', 'moderator')) return
    try {
      const analytics = await this.ctx.api.analytics(p.id)
      this.data.value = { proposalId: p.id, analytics }
      this.error.value = undefined
      if (this.heat.value) this.ctx.map?.setHeatmap(analytics.heatmap)
    } catch (err) {
      this.error.value = errorText(err)
    }
    this.ctx.refresh()
  }

  setHeat(on: boolean, a: ProposalAnalytics) {
    this.heat.value = on
    this.ctx.map?.setHeatmap(on ? a.heatmap : undefined)
  }

  render(): JSX.Element {
    return h(AnalyticsView, { panel: this })
  }
}

function AnalyticsView({ panel }: { panel: AnalyticsPanel }) {
  const { t, plural } = useI18n(panel.ctx)
  const user = store.user.value
  const p = store.selection.value.proposal
  const head = h('h2', { id: 'analytics-h' }, t('analytics.heading'))
  if (!hasRole(user, 'planner', 'moderator')) return h('section', {}, head, h('p', {}, t('analytics.notAllowed')))
  if (!p) return h('section', { 'aria-labelledby': 'analytics-h' }, head, h('p', { class: 'muted' }, t('mod.selectProposal')))
  const loaded = panel.data.value
  const a = loaded && loaded.proposalId === p.id ? loaded.analytics : undefined
  const error = panel.error.value
  return h(
    'section',
    { 'aria-labelledby': 'analytics-h' },
    head,
    h('p', {}, h('strong', {}, p.title)),
    error ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: error })) : null,
    !a
      ? h('p', { role: 'status' }, t('app.loading'))
      : [
          h('p', { key: 'count' }, plural('comments.count', a.comment_count)),
          h(SentimentChart, { key: 'sentiment', panel, a }),
          h(OverTimeChart, { key: 'time', panel, a }),
          h(BuildingsTable, { key: 'buildings', panel, a }),
          h(
            'div',
            { key: 'heat', class: 'check' },
            h('input', {
              type: 'checkbox',
              id: 'analytics-heat',
              checked: panel.heat.value,
              disabled: !store.mapReady.value,
              onChange: (e: Event) => panel.setHeat((e.target as HTMLInputElement).checked, a),
            }),
            h('label', { for: 'analytics-heat' }, t('mod.heatmap')),
          ),
          h('p', { key: 'hint', class: 'hint' }, t('analytics.heatHint')),
        ],
  )
}

function SentimentChart({ panel, a }: { panel: AnalyticsPanel; a: ProposalAnalytics }) {
  const { t, tag } = useI18n(panel.ctx)
  const rows = sentimentByTopic(a)
  const topicName = (tp: string) => (TOPICS.includes(tp) ? t(`topic.${tp as 'other'}`) : tp)
  if (!rows.length) return h('p', { class: 'muted' }, t('analytics.noTopics'))
  const max = Math.max(...rows.map((r) => r.total))
  // the label column fits the longest topic name of the language (Hungarian ones are long)
  const label = labelColumnWidth(rows.map((r) => topicName(r.topic)), 11)
  const W = 220 + label
  const bar = 16
  const gap = 6
  const height = rows.length * (bar + gap) + 4
  const svg = h(
    'svg',
    { viewBox: `0 0 ${W} ${height}`, width: '100%', role: 'img', 'aria-labelledby': 'chart-sentiment-cap', class: 'chart' },
    rows.map((r, i) => {
      const y = i * (bar + gap)
      return h(
        'g',
        { key: r.topic },
        h('text', { x: label - 4, y: y + bar - 4, 'text-anchor': 'end', 'font-size': 11, fill: 'currentColor' }, topicName(r.topic)),
        stackSegments(r, max).map((seg) =>
          h(
            'rect',
            { key: seg.sentiment, x: label + seg.x * (W - label - 4), y, width: Math.max(1, seg.width * (W - label - 4)), height: bar, fill: SENTIMENT_COLOURS[seg.sentiment] },
            h('title', {}, `${topicName(r.topic)}: ${t(`sentiment.${seg.sentiment}`)} ${seg.count}`),
          ),
        ),
      )
    }),
  )
  return h(
    'figure',
    { class: 'chart-figure' },
    h('figcaption', { id: 'chart-sentiment-cap' }, t('mod.sentimentByTopic')),
    h('ul', { class: 'legend', 'aria-hidden': 'true' }, SENTIMENTS.map((x) => h('li', { key: x }, h('span', { class: 'swatch', style: { background: SENTIMENT_COLOURS[x] } }), t(`sentiment.${x}`)))),
    svg,
    h(
      'details',
      {},
      h('summary', {}, t('analytics.table')),
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, t('mod.sentimentByTopic')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('comments.topics')), SENTIMENTS.map((x) => h('th', { key: x, scope: 'col' }, t(`sentiment.${x}`))))),
        h(
          'tbody',
          {},
          rows.map((r) => h('tr', { key: r.topic }, h('th', { scope: 'row' }, topicName(r.topic)), SENTIMENTS.map((x) => h('td', { key: x }, formatNumber(r.counts[x], tag))))),
        ),
      ),
    ),
  )
}

function OverTimeChart({ panel, a }: { panel: AnalyticsPanel; a: ProposalAnalytics }) {
  const { t, tag } = useI18n(panel.ctx)
  const days = dailySeries(a.over_time)
  if (!days.length) return h('p', { class: 'muted' }, t('analytics.noComments'))
  const W = 300
  const H = 110
  const left = 24
  const bottom = 18
  const max = niceMax(Math.max(...days.map((d) => d.count)))
  const bw = (W - left) / days.length
  const y = (v: number) => (H - bottom) * (1 - v / max)
  const svg = h(
    'svg',
    { viewBox: `0 0 ${W} ${H}`, width: '100%', role: 'img', 'aria-labelledby': 'chart-time-cap', class: 'chart' },
    h('line', { x1: left, y1: H - bottom, x2: W, y2: H - bottom, stroke: 'currentColor', 'stroke-width': 1 }),
    h('text', { x: left - 3, y: 9, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, formatNumber(max, tag)),
    h('text', { x: left - 3, y: H - bottom, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, '0'),
    days.map((d, i) =>
      h(
        'rect',
        { key: d.day, x: left + i * bw + 1, y: y(d.count), width: Math.max(1, bw - 2), height: H - bottom - y(d.count), fill: '#0072b2' },
        h('title', {}, `${formatDate(d.day, tag)}: ${d.count}`),
      ),
    ),
    h('text', { x: left, y: H - 4, 'font-size': 10, fill: 'currentColor' }, formatDate(days[0].day, tag)),
    h('text', { x: W, y: H - 4, 'text-anchor': 'end', 'font-size': 10, fill: 'currentColor' }, formatDate(days[days.length - 1].day, tag)),
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
        h(
          'tbody',
          {},
          days.filter((d) => d.count > 0).map((d) => h('tr', { key: d.day }, h('th', { scope: 'row' }, formatDate(d.day, tag)), h('td', {}, formatNumber(d.count, tag)))),
        ),
      ),
    ),
  )
}

function BuildingsTable({ panel, a }: { panel: AnalyticsPanel; a: ProposalAnalytics }) {
  const { t, tag } = useI18n(panel.ctx)
  if (!a.most_discussed_buildings.length) return null
  return h(
    'table',
    {},
    h('caption', {}, t('analytics.buildings')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('buildings.building')), h('th', { scope: 'col' }, t('comments.heading')))),
    h(
      'tbody',
      {},
      a.most_discussed_buildings.map((b) => h('tr', { key: b.building_id }, h('th', { scope: 'row' }, b.name || b.building_id), h('td', {}, formatNumber(b.count, tag)))),
    ),
  )
}
