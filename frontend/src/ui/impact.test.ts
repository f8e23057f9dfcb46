// @vitest-environment happy-dom
import { render } from 'preact'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Proposal } from '../api'
import type { ImpactMapPoint, ViewOnMap, ZonePolygon } from '../core/impact'
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

  it('draws the zone on the ground when asked, lists its areas, and shows the protected views with their results', async () => {
    const sq = (x: number, y: number, d: number) => [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    const zone = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', id: 0, geometry: { type: 'MultiPolygon', coordinates: [[sq(-0.096, 51.513, 0.002)], [sq(-0.09, 51.513, 0.001)]] }, properties: { share_seen_above: 0, area_m2: 18420.4, share_of_ground: 0.412 } },
        { type: 'Feature', id: 1, geometry: { type: 'MultiPolygon', coordinates: [[sq(-0.0955, 51.5135, 0.0005)]] }, properties: { share_seen_above: 0.25, area_m2: 2100, share_of_ground: 0.047 } },
        { type: 'Feature', id: 2, geometry: { type: 'MultiPolygon', coordinates: [] }, properties: { share_seen_above: 0.5, area_m2: 0, share_of_ground: 0 } },
      ],
    }
    const withView = { ...result, facts: [...result.facts, { code: 'view', name: "St Paul's from Fleet Street", scheme_pct: 3.2, above_landmark: true }] }
    const viewpoint = (id: number, name: string) => ({ id, proposal_id: 5, tileset: 'london', name, eye: [-0.1065, 51.5141, 49], target: [-0.0984, 51.5138, 111], landmark_ids: [], fov_deg: 30, city_wide: false })
    const server = fakeServer({
      'GET /api/v1/proposals/5/impact': () => ({ job: job('done'), result: withView, links: {} }),
      'GET /api/v1/proposals/5/impact/points': () => points,
      'GET /api/v1/proposals/5/impact/zone': () => zone,
      'GET /api/v1/proposals/5/impact/viewpoints': () => ({ items: [viewpoint(3, "St Paul's from Fleet Street"), viewpoint(4, 'Added later')] }),
    })
    const ctx = testContext(server.api)
    const zones: (readonly ZonePolygon[] | undefined)[] = []
    const views: (readonly ViewOnMap[] | undefined)[] = []
    ctx.map = {
      showImpactPoints: () => {},
      showImpactZone: (z: readonly ZonePolygon[] | undefined) => zones.push(z),
      showImpactViews: (v: readonly ViewOnMap[] | undefined) => views.push(v),
    } as unknown as MapView
    const panel = new ImpactPanel(ctx)
    panel.follow(proposal)
    render(panel.render(proposal), host)
    await settle()
    await settle()

    // the text equivalent is there before (and without) the 3D drawing
    const rows = [...host.querySelectorAll('#impact-zone tbody tr')].map((tr) => [...tr.children].map((c) => c.textContent))
    expect(rows).toEqual([
      ['Some of the scheme', '18,420 m²', '41.2 %'],
      ['More than 25 % of the scheme', '2,100 m²', '4.7 %'],
      ['More than 50 % of the scheme', '0 m²', '0 %'],
    ])
    expect(zones.at(-1)).toBeUndefined()
    const box = host.querySelector<HTMLInputElement>('#impact-zone-show')!
    expect(host.querySelector(`label[for="${box.id}"]`)!.textContent).toBe('Show the zone on the ground in 3D')

    // ticked: the three bands' polygons (the empty band gives none), the inner band above
    box.checked = true
    box.dispatchEvent(new Event('change'))
    await settle()
    const drawn = zones.at(-1)!
    expect(drawn.map((p) => [p.band, p.level])).toEqual([
      [0, 0],
      [0, 0],
      [0.25, 1],
    ])
    expect(drawn[0].outer[0]).toEqual({ lon: -0.096, lat: 51.513 })
    expect(host.querySelector<HTMLInputElement>('#impact-zone-show')!.checked).toBe(true)
    box.checked = false
    box.dispatchEvent(new Event('change'))
    expect(zones.at(-1)).toBeUndefined()

    // the views: drawn with their result, listed in words; a view saved after the study has none
    const shownViews = views.at(-1)!
    expect(shownViews.map((v) => [v.name, v.result])).toEqual([
      ["St Paul's from Fleet Street", { schemePct: 3.2, aboveLandmark: true }],
      ['Added later', undefined],
    ])
    expect(shownViews[0].eye).toEqual({ lon: -0.1065, lat: 51.5141, height: 49 })
    const said = [...host.querySelectorAll('#impact-views .impact-view-result')].map((p) => p.textContent)
    expect(said).toEqual(["The scheme takes 3.2 % of the view and rises above the landmark's silhouette.", 'Not studied yet: saved after the latest study.'])

    panel.stop()
    expect(zones.at(-1)).toBeUndefined()
    expect(views.at(-1)).toBeUndefined()
  })

  it('says when the latest study has no zone yet, without calling it a failure', async () => {
    const server = fakeServer({
      'GET /api/v1/proposals/5/impact': () => ({ job: job('done'), result, links: {} }),
      'GET /api/v1/proposals/5/impact/points': () => points,
      'GET /api/v1/proposals/5/impact/zone': () => [404, { detail: 'proposal 5: the latest study has no visibility zone; run it again', code: 'NotFound' }],
      'GET /api/v1/proposals/5/impact/viewpoints': () => ({ items: [] }),
    })
    const ctx = testContext(server.api)
    const panel = new ImpactPanel(ctx)
    panel.follow(proposal)
    await panel.load()
    render(panel.render(proposal), host)
    await settle()
    expect(host.textContent).toContain('This study was made before the zone was computed')
    expect(host.querySelector('.notice, [role="alert"]')).toBeNull()
    expect(host.querySelector('#impact-zone-show')).toBeNull()
  })
})
