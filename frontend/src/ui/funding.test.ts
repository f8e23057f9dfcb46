// @vitest-environment happy-dom
import { h, render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Scheme } from '../api/funding'
import { FundingPanel, SchemesBeside } from './funding'
import { store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

function scheme(id: number, extra: Partial<Scheme> = {}): Scheme {
  return {
    id,
    kind: 'grant',
    provider: 'City Growth Fund',
    translations: { en: { title: `Grant ${id}`, summary: 'Help' }, it: { title: `Contributo ${id}`, summary: '' } },
    amount_min: 1000,
    amount_max: 5000,
    currency: 'GBP',
    sizes: ['micro'],
    sectors: [{ scheme: 'CPV', code: '45' }],
    stages: [],
    area: null,
    other_criteria: '',
    opens_on: null,
    closes_on: '2099-12-31',
    rolling: false,
    how_to_apply: 'Online',
    apply_url: 'https://fund.example.org',
    contact: { name: null, email: null, phone: null },
    status: 'published',
    opportunity_ids: [],
    open: true,
    published_at: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  } as Scheme
}

describe('funding panel', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  function setup(roles: Parameters<typeof user>[0]) {
    const server = fakeServer({
      'GET /api/v1/schemes': (req) => ({
        items: req.query.get('kind') === 'loan' ? [] : [scheme(1), scheme(2, { rolling: true, closes_on: null })],
        total: req.query.get('kind') === 'loan' ? 0 : 2,
        limit: 20,
        offset: 0,
        next: null,
        prev: null,
      }),
      'GET /api/v1/guide': () => [
        { journey: 'start', steps: [{ id: 5, journey: 'start', position: 1, translations: { en: { title: 'Register', description: '' } }, provider: 'Companies House', cost: '£50', duration: '1 day', url: null, updated_at: '2026-01-01T00:00:00Z' }] },
        { journey: 'grow', steps: [] },
      ],
      'GET /api/v1/organisations/me/schemes': () => ({
        items: [{ scheme: scheme(1), score: 0.9, reasons: [{ code: 'size', params: { size: 'micro' } }, { code: 'sector', params: { scheme: 'CPV', code: '45', yours: '4511' } }] }],
        total: 1,
      }),
      'GET /api/v1/awards/kpis': () => ({ proposal_id: null, currency: 'GBP', local_radius_km: 30, work_packages: 4, awarded_work_packages: 2, awards: 2, awarded_value: 100, sme_value: 40, local_sme_value: 20, sme_share: 0.4, local_sme_share: 0.2, sme_awards: 1, smes_engaged: 3, interest_registrations: 5, median_days_to_award: 12, by_size: {} }),
    })
    const ctx = testContext(server.api, user(roles))
    const panel = new FundingPanel(ctx)
    render(panel.render(), host)
    return { panel, ctx, server }
  }

  it('lists schemes and the guide; an SME sees its schemes with translated reasons', async () => {
    const { panel } = setup(['sme'])
    await panel.load()
    await settle()
    expect([...host.querySelectorAll('#fund-list h4')].map((e) => e.textContent)).toEqual(['Grant 1', 'Grant 2'])
    expect(host.querySelector('#fund-list')!.textContent).toContain('Open all year')
    expect(host.querySelector('#guide-start')!.textContent).toContain('Companies House')
    expect(host.querySelector('#guide-grow')).toBeNull() // an empty journey is not shown
    expect(host.querySelector('.kpis')).toBeNull() // KPIs are for planners
    host.querySelector<HTMLButtonElement>('#fund-mine')!.click()
    await settle()
    const reasons = host.querySelector('#fund-mine-list .reasons')!.textContent
    expect(reasons).toContain('Open to Micro businesses')
    expect(reasons).toContain('Your sector 4511 is within CPV 45')
  })

  it('filters by kind and shows titles in the reader language; planners see the KPIs', async () => {
    const { panel, server } = setup(['planner'])
    await panel.load()
    await settle()
    expect(host.querySelector<HTMLMeterElement>('#fund-kpi-sme')!.value).toBeCloseTo(0.4)
    store.locale.value = 'it'
    await settle()
    expect(host.querySelector('#fund-list h4')!.textContent).toBe('Contributo 1')
    store.locale.value = 'en'
    host.querySelector<HTMLSelectElement>('#fund-kind')!.value = 'loan'
    host.querySelector<HTMLFormElement>('form.filters')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/schemes' })
    expect(server.requests.at(-1)!.query.get('kind')).toBe('loan')
    expect(host.querySelectorAll('#fund-list li')).toHaveLength(0)
  })

  it('saves the search with a frequency, runs a saved one again and deletes it', async () => {
    const saved = [{ id: 9, name: 'Old', target: 'funding', query: { kind: ['loan'], size: null, sector: null, stage: null, lon: null, lat: null, q: null, provider: null, open_now: true }, frequency: 'daily', paused: false, created_at: '2026-01-01T00:00:00Z', last_run_at: null }]
    const server = fakeServer({
      'GET /api/v1/schemes': () => ({ items: [scheme(1)], total: 1, limit: 20, offset: 0, next: null, prev: null }),
      'GET /api/v1/guide': () => [],
      'GET /api/v1/saved-searches/funding': () => saved,
      'POST /api/v1/saved-searches/funding': (req) => {
        const body = req.body as { name: string; query: object; frequency: string }
        saved.push({ ...saved[0], id: 10, name: body.name, frequency: body.frequency, query: { ...saved[0].query, ...body.query } })
        return [201, saved.at(-1)]
      },
      'GET /api/v1/saved-searches/funding/9/schemes': () => ({ items: [scheme(3, { kind: 'loan' })], total: 1, limit: 20, offset: 0, next: null, prev: null }),
      'DELETE /api/v1/saved-searches/9': () => [204, null],
      'PATCH /api/v1/saved-searches/funding/9': (req) => Object.assign(saved[0], req.body as object),
    })
    const ctx = testContext(server.api, user(['sme']))
    const panel = new FundingPanel(ctx)
    render(panel.render(), host)
    await panel.load()
    await settle()
    expect(host.querySelector<HTMLSelectElement>('#fund-alerts-9')!.value).toBe('daily')
    expect(host.querySelector('label[for="fund-alerts-9"]')!.textContent).toBe('Alerts for Old')

    host.querySelector<HTMLSelectElement>('#fund-kind')!.value = 'grant'
    host.querySelector<HTMLInputElement>('#fund-sector')!.value = '45'
    host.querySelector<HTMLFormElement>('form.filters')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    const name = host.querySelector<HTMLInputElement>('#fund-search-name')!
    name.value = 'Builders'
    name.dispatchEvent(new Event('input'))
    const freq = host.querySelector<HTMLSelectElement>('#fund-search-frequency')!
    freq.value = 'weekly'
    freq.dispatchEvent(new Event('change'))
    host.querySelector<HTMLButtonElement>('#fund-save-search')!.click()
    await settle()
    const post = server.requests.find((r) => r.method === 'POST')!
    expect(post.body).toEqual({ name: 'Builders', query: { kind: ['grant'], sector: '45' }, frequency: 'weekly' })
    expect(ctx.announced).toContain('Search saved: new schemes that match it will be e-mailed to you')
    expect(host.querySelector<HTMLSelectElement>('#fund-alerts-10')!.value).toBe('weekly')
    // pausing the old one's alerts from its row
    const alerts = host.querySelector<HTMLSelectElement>('#fund-alerts-9')!
    alerts.value = 'paused'
    alerts.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/api/v1/saved-searches/funding/9', body: { paused: true } })
    expect(host.querySelector<HTMLSelectElement>('#fund-alerts-9')!.value).toBe('paused')
    expect(ctx.announced.at(-1)).toBe('Alerts for Old: Alerts paused')

    host.querySelector<HTMLButtonElement>('button[aria-label="Run again: “Old”"]')!.click()
    await settle()
    expect([...host.querySelectorAll('#fund-list h4')].map((e) => e.textContent)).toEqual(['Grant 3'])
    expect(host.querySelector<HTMLSelectElement>('#fund-kind')!.value).toBe('loan')
    expect(host.querySelector<HTMLInputElement>('#fund-open')!.checked).toBe(true)

    host.querySelector<HTMLButtonElement>('button[aria-label="Delete “Old”"]')!.click()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/saved-searches/9' })
    expect(host.querySelector('#fund-saved-list')!.textContent).not.toContain('Old')
  })

  it('offers no saved searches to someone signed out', async () => {
    const server = fakeServer({
      'GET /api/v1/schemes': () => ({ items: [], total: 0, limit: 20, offset: 0, next: null, prev: null }),
      'GET /api/v1/guide': () => [],
    })
    const panel = new FundingPanel(testContext(server.api))
    render(panel.render(), host)
    await panel.load()
    await settle()
    expect(host.querySelector('#fund-saved')).toBeNull()
    expect(server.requests.some((r) => r.path.startsWith('/api/v1/saved-searches'))).toBe(false)
  })

  it('shows the schemes linked to a work package beside it, fetched once', async () => {
    const server = fakeServer({ 'GET /api/v1/opportunities/4/schemes': () => [scheme(7, { kind: 'guarantee' })] })
    const ctx = testContext(server.api, user(['sme']))
    render(h(SchemesBeside, { ctx, opportunityId: 4 }), host)
    await settle()
    expect(host.querySelector('#opp-schemes li')!.textContent).toContain('Grant 7 (Guarantee, City Growth Fund)')
    // the detail closed and opened again: shown at once, not fetched again
    render(null, host)
    render(h(SchemesBeside, { ctx, opportunityId: 4 }), host)
    expect(host.querySelector('#opp-schemes li')).not.toBeNull()
    await settle()
    expect(host.querySelector('#opp-schemes li')).not.toBeNull()
    expect(server.requests.filter((r) => r.path === '/api/v1/opportunities/4/schemes')).toHaveLength(1)
  })
})
