// @vitest-environment happy-dom
import { render } from 'preact'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Proposal } from '../api'
import type { ImpactMapPoint } from '../core/impact'
import type { MapView } from '../core/mapview'
import { ImpactPanel } from './impact'
import { store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

const job = (status: string, extra: Record<string, unknown> = {}) => ({
  id: 7,
  proposal_id: 5,
  variant_id: null,
  status,
  reason: 'massing',
  progress: status === 'done' ? 100 : 35,
  stage: status === 'done' ? 'done' : 'apsh',
  error: null,
  created_at: '2026-03-01T10:00:00Z',
  started_at: '2026-03-01T10:00:01Z',
  finished_at: status === 'done' ? '2026-03-01T10:00:40Z' : null,
  ...extra,
})
const result = {
  job_id: 7,
  computed_at: '2026-03-01T10:00:40Z',
  current: true,
  facts: [
    { code: 'vsc', failing: 14, points: 212, buildings: 4 },
    { code: 'ground', area: 'open ground', radius_m: 357, after_pct: 61, before_pct: 78, adverse: false },
    { code: 'grid' },
  ],
  sentences: [],
  seconds: 36.4,
  counts: { vsc: 2, apsh: 0, ground: 0, visibility: 0 },
}
const points = {
  type: 'FeatureCollection',
  analysis: 'vsc',
  features: [
    { type: 'Feature', id: 0, geometry: { type: 'Point', coordinates: [-0.095, 51.514, 30] }, properties: { building_id: 'b:1', storey: 2, before: 31.2, after: 20.1, difference: -11.1, adverse: true } },
    { type: 'Feature', id: 1, geometry: { type: 'Point', coordinates: [-0.095, 51.514, 33] }, properties: { building_id: 'b:1', storey: 3, before: 35.0, after: 34.0, difference: -1.0, adverse: false } },
  ],
}
const proposal = { id: 5, reference: 'T/5', title: 'Tower', updated_at: '2026-03-01T10:00:00Z' } as unknown as Proposal

describe('impact section', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })

  it('shows progress, then the summary in words, the legend threshold and the coloured points', async () => {
    let done = false
    const server = fakeServer({
      'GET /api/v1/proposals/5/impact': () => ({ job: job(done ? 'done' : 'running'), result: done ? result : null, links: {} }),
      'GET /api/v1/proposals/5/impact/points': () => points,
      'GET /api/v1/proposals/5/impact/viewpoints': () => ({ items: [] }),
      'POST /api/v1/proposals/5/comments': (req) => ({ id: 1, ...(req.body as object) }),
    })
    const ctx = testContext(server.api, user(['citizen']))
    const shown: (readonly ImpactMapPoint[] | undefined)[] = []
    let pick: ((i: number) => void) | undefined
    ctx.map = {
      showImpactPoints: (p: readonly ImpactMapPoint[] | undefined, onPick?: (i: number) => void) => {
        shown.push(p)
        pick = onPick
      },
    } as unknown as MapView
    const panel = new ImpactPanel(ctx)
    panel.follow(proposal)
    render(panel.render(proposal), host)
    await settle()
    expect(host.querySelector('progress')?.getAttribute('value')).toBe('35')
    expect(host.textContent).toContain('Computing: sunlight, 35%')

    done = true
    await panel.load()
    await settle()
    const items = [...host.querySelectorAll('#impact-summary li')].map((li) => li.textContent)
    expect(items[0]).toBe('14 of 212 façade points fail the daylight (VSC) test, on 4 buildings.')
    expect(items[1]).toContain('on 61% of its area, was 78%')
    expect(host.querySelector('#impact-legend')!.textContent).toContain('BRE 209 threshold: 27 %')
    const last = shown.at(-1)!
    expect(last.map((p) => p.index)).toEqual([0, 1])
    expect(last[0].colour[0]).toBeGreaterThan(last[0].colour[1]) // 20 % VSC: below 27, red
    expect(last[1].colour[1]).toBeGreaterThan(last[1].colour[0]) // 34 %: green

    // a click in 3D shows the point's values; a comment carries the point's result
    pick!(0)
    await settle()
    expect(host.querySelector('#impact-point')!.textContent).toContain('Point 0')
    panel.comment.value = 'My kitchen loses its light.'
    await panel.attach()
    const posted = server.requests.find((r) => r.method === 'POST')!
    expect(posted.body).toMatchObject({ anchor: { impact: { analysis: 'vsc', index: 0 }, point: { lon: -0.095, lat: 51.514, height_m: 30 } } })
    panel.stop()
    expect(shown.at(-1)).toBeUndefined()
    expect(store.user.value?.roles).toEqual(['citizen'])
  })

  it('words the summary in Hungarian', async () => {
    const server = fakeServer({
      'GET /api/v1/proposals/5/impact': () => ({ job: job('done'), result, links: {} }),
      'GET /api/v1/proposals/5/impact/points': () => points,
      'GET /api/v1/proposals/5/impact/viewpoints': () => ({ items: [] }),
    })
    const ctx = testContext(server.api)
    ctx.i18n.set('hu')
    store.locale.value = 'hu'
    const panel = new ImpactPanel(ctx)
    panel.follow(proposal)
    await panel.load()
    render(panel.render(proposal), host)
    await settle()
    expect(host.querySelector('#impact-summary li')!.textContent).toBe(
      '212 homlokzati pontból 14 nem felel meg a nappali fény (VSC) próbájának, 4 épületen.',
    )
  })
})
