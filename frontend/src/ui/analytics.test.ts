// @vitest-environment happy-dom
// The analytics panel (Preact): a planner sees the counts, both charts with their tables and the
// most discussed buildings for the selected proposal, in the language chosen; the heat-map box
// drives the 3D view; others are told the panel is not for them.
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Proposal, ProposalAnalytics } from '../api'
import type { MapView } from '../core/mapview'
import { I18n } from '../i18n'
import { AnalyticsPanel } from './analytics'
import { store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

const analytics: ProposalAnalytics = {
  proposal_id: 7,
  bbox: null,
  comment_count: 5,
  by_sentiment: { objection: 3, neutral: 1, supportive: 1 },
  by_sentiment_topic: [
    { sentiment: 'objection', topic: 'light', count: 3 },
    { sentiment: 'supportive', topic: 'design', count: 1 },
    { sentiment: 'neutral', topic: 'design', count: 1 },
  ],
  over_time: [
    { day: '2026-03-01', count: 2 },
    { day: '2026-03-03', count: 3 },
  ],
  most_discussed_buildings: [{ building_id: 'osm-way-1', name: 'Old Bank', count: 4 }],
  heatmap: { type: 'FeatureCollection', features: [] },
} as unknown as ProposalAnalytics

describe('analytics panel', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  function setup(roles: Parameters<typeof user>[0], locale = 'en') {
    const server = fakeServer({ 'GET /api/v1/analytics/proposals/7': () => analytics })
    const ctx = testContext(server.api, user(roles))
    ctx.i18n = new I18n(locale as 'en')
    const heat: unknown[] = []
    ctx.map = { setHeatmap: (cells: unknown) => heat.push(cells) } as unknown as MapView
    store.mapReady.value = true
    store.selection.value = { proposal: { id: 7, title: 'Canal Wharf' } as Proposal }
    const panel = new AnalyticsPanel(ctx)
    const show = () => render(panel.render(), host)
    ctx.refresh = show
    show()
    return { panel, server, heat, show }
  }

  it('shows a planner the counts, the charts, their tables and the buildings', async () => {
    const { panel, server } = setup(['planner'])
    expect(host.querySelector('[role=status]')?.textContent).toBe('Loading…')
    await panel.load()
    await settle()
    expect(server.requests.map((r) => r.path)).toEqual(['/api/v1/analytics/proposals/7'])
    expect(host.textContent).toContain('Canal Wharf')
    expect(host.textContent).toContain('5 comments')
    // sentiment by topic: one bar group per topic (light, design), a segment per sentiment present
    const sentiment = host.querySelector('svg[aria-labelledby=chart-sentiment-cap]')!
    expect(sentiment.querySelectorAll('g')).toHaveLength(2)
    expect(sentiment.querySelectorAll('rect')).toHaveLength(3)
    expect(sentiment.namespaceURI).toBe('http://www.w3.org/2000/svg')
    const rows = [...host.querySelectorAll('figure')[0].querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent))
    expect(rows).toContainEqual(['Light', '3', '0', '0'])
    // over time: a bar per day from the first to the last (3 days, one without comments)
    const time = host.querySelector('svg[aria-labelledby=chart-time-cap]')!
    expect(time.querySelectorAll('rect')).toHaveLength(3)
    expect(host.querySelectorAll('figure')[1].querySelectorAll('tbody tr')).toHaveLength(2)
    expect(host.textContent).toContain('Old Bank')
  })

  it('the heat-map box shows and clears the heat map in 3D', async () => {
    const { panel, heat } = setup(['planner'])
    await panel.load()
    await settle()
    const box = host.querySelector<HTMLInputElement>('#analytics-heat')!
    expect(box.disabled).toBe(false)
    box.click()
    await settle()
    expect(heat).toEqual([analytics.heatmap])
    expect(host.querySelector<HTMLInputElement>('#analytics-heat')!.checked).toBe(true)
    host.querySelector<HTMLInputElement>('#analytics-heat')!.click()
    await settle()
    expect(heat).toEqual([analytics.heatmap, undefined])
  })

  it('speaks the chosen language', async () => {
    const { panel } = setup(['planner'], 'it')
    await panel.load()
    await settle()
    expect(host.querySelector('h2')?.textContent).toBe(new I18n('it').t('analytics.heading'))
    expect(host.querySelector('h2')?.textContent).not.toBe(new I18n('en').t('analytics.heading'))
  })

  it('tells a citizen the panel is not theirs and asks nothing of the API', async () => {
    const { panel, server } = setup(['citizen'])
    await panel.load()
    await settle()
    expect(host.textContent).toContain(new I18n('en').t('analytics.notAllowed'))
    expect(server.requests).toHaveLength(0)
  })
})
