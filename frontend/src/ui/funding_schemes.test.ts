// @vitest-environment happy-dom
import { h, render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Scheme } from '../api/funding'
import { FundingPanel } from './funding'
import { circlePolygon, MySchemes } from './funding_schemes'
import { store } from './store'
import { fakeServer, settle, testContext, user, type Request } from './testing'

function scheme(id: number, extra: Partial<Scheme> = {}): Scheme {
  return {
    id,
    kind: 'grant',
    provider: 'City Growth Fund',
    translations: { en: { title: `Grant ${id}`, summary: '' } },
    amount_min: null,
    amount_max: 5000,
    currency: 'GBP',
    sizes: [],
    sectors: [],
    stages: [],
    area: null,
    other_criteria: '',
    opens_on: null,
    closes_on: null,
    rolling: true,
    how_to_apply: '',
    apply_url: null,
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

const page = (items: Scheme[]) => ({ items, total: items.length, limit: 100, offset: 0, next: null, prev: null })

function type(el: Element | null, value: string) {
  const input = el as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
}

function tick(el: Element | null) {
  const input = el as HTMLInputElement
  input.checked = !input.checked
  input.dispatchEvent(new Event('change', { bubbles: true }))
}

const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel)

describe('my schemes (funders)', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  it('a funder creates a scheme with every field, sees the errors beside the fields, publishes and withdraws it', async () => {
    const mine: Scheme[] = []
    let posts = 0
    const server = fakeServer({
      'GET /api/v1/schemes/managed': () => page(mine),
      'GET /api/v1/opportunities': () => ({ items: [{ id: 4, title: 'Green roof', parent_id: null }], total: 1, limit: 100, offset: 0, next: null, prev: null }),
      'GET /api/v1/cpv': () => ({ items: [{ code: '45261215-4', label: 'Solar panel roof-covering work' }] }),
      'POST /api/v1/schemes': (req: Request) => {
        const b = req.body as Record<string, unknown>
        // the first answer: the API's validation error for the contact's e-mail
        if (!posts++) return [422, { detail: 'body contact.email: value is not a valid email address', code: 'InvalidInputError', key: 'invalid_field', params: { field: 'contact.email' } }]
        const made = scheme(7, { ...(b as Partial<Scheme>), status: b.status as Scheme['status'] })
        mine.unshift(made)
        return [201, made]
      },
      'PATCH /api/v1/schemes/7': (req: Request) => {
        Object.assign(mine[0], req.body)
        return mine[0]
      },
      'GET /api/v1/schemes/7/grants': () => [],
      'GET /api/v1/schemes': () => page([]),
      'GET /api/v1/guide': () => [],
    })
    const ctx = testContext(server.api, user(['funder']))
    const panel = new FundingPanel(ctx)
    render(panel.render(), host)
    await panel.load()
    await settle()
    expect(q('#my-schemes-h')!.textContent).toBe('My schemes')
    expect(q('#my-schemes')!.textContent).toContain('You have not published a scheme yet.')
    q<HTMLButtonElement>('#my-schemes-new')!.click()
    await settle()

    // nothing typed: the required fields say so beside themselves, nothing is sent
    q<HTMLButtonElement>('#scheme-publish')!.click()
    await settle()
    expect(q('#scheme-provider-error')!.textContent).toBe('Name the provider.')
    expect(q('#scheme-provider')!.getAttribute('aria-invalid')).toBe('true')
    expect(q('#scheme-provider')!.getAttribute('aria-describedby')).toBe('scheme-provider-error')
    expect(q('#scheme-title-en-error')!.textContent).toBe('Give an English title.')
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)

    const kind = q<HTMLSelectElement>('#scheme-kind')!
    kind.value = 'guarantee'
    kind.dispatchEvent(new Event('change', { bubbles: true }))
    type(q('#scheme-provider'), 'City Growth Fund')
    type(q('#scheme-title-en'), 'Contract bond guarantee')
    type(q('#scheme-summary-en'), 'Covers the performance bond.')
    type(q('#scheme-title-it'), 'Garanzia sulla cauzione')
    type(q('#scheme-amount_min'), '1000')
    type(q('#scheme-amount_max'), '25000')
    type(q('#scheme-currency'), 'eur')
    tick(q('#scheme-sizes-micro'))
    tick(q('#scheme-sizes-small'))
    tick(q('#scheme-stages-startup'))
    // the CPV combobox: typed words, Enter picks the best match
    type(q('#scheme-cpv'), 'solar')
    q('#scheme-cpv')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await settle()
    type(q('#scheme-nace'), 'F, 43.3')
    tick(q('#scheme-area-radius'))
    await settle()
    type(q('#scheme-radius_km'), '30')
    type(q('#scheme-lat'), '51.52')
    type(q('#scheme-lon'), '-0.09')
    type(q('#scheme-other_criteria'), 'Based in the city for a year.')
    type(q('#scheme-opens_on'), '2026-01-01')
    tick(q('#scheme-rolling'))
    await settle()
    expect(q('#scheme-closes_on')).toBeNull() // all year: no closing date to give
    type(q('#scheme-how_to_apply'), 'Apply online.')
    type(q('#scheme-apply_url'), 'https://fund.example.org/bond')
    type(q('#scheme-contact_name'), 'Business desk')
    type(q('#scheme-contact_email'), 'desk@')
    tick(q('#scheme-packages-4'))
    await settle()
    q<HTMLButtonElement>('#scheme-publish')!.click()
    await settle()
    // the API's error is said beside the field it names
    expect(q('#scheme-contact_email-error')).not.toBeNull()
    expect(q('#scheme-contact_email')!.getAttribute('aria-invalid')).toBe('true')
    expect(q('#scheme-provider-error')).toBeNull()

    type(q('#scheme-contact_email'), 'desk@fund.example.org')
    await settle()
    q<HTMLButtonElement>('#scheme-publish')!.click()
    await settle()
    const post = server.requests.filter((r) => r.method === 'POST').at(-1)!
    const body = post.body as Record<string, unknown>
    expect(body).toMatchObject({
      kind: 'guarantee',
      provider: 'City Growth Fund',
      translations: { en: { title: 'Contract bond guarantee', summary: 'Covers the performance bond.' }, it: { title: 'Garanzia sulla cauzione', summary: '' } },
      amount_min: 1000,
      amount_max: 25000,
      currency: 'EUR',
      sizes: ['micro', 'small'],
      stages: ['startup'],
      sectors: [
        { scheme: 'CPV', code: '45261215-4' },
        { scheme: 'NACE', code: 'F' },
        { scheme: 'NACE', code: '43.3' },
      ],
      other_criteria: 'Based in the city for a year.',
      opens_on: '2026-01-01',
      closes_on: null,
      rolling: true,
      how_to_apply: 'Apply online.',
      apply_url: 'https://fund.example.org/bond',
      contact: { name: 'Business desk', email: 'desk@fund.example.org', phone: null },
      opportunity_ids: [4],
      status: 'published',
    })
    expect(Object.keys(body.translations as object)).toEqual(['en', 'it']) // empty languages are left out
    expect((body.area as { type: string }).type).toBe('Polygon')
    expect(ctx.announced).toContain('“Contract bond guarantee” published')
    const item = q('#my-scheme-7-item')!
    expect(item.textContent).toContain('Published')
    // the directory is searched again, so the new scheme appears there too
    expect(server.requests.filter((r) => r.path === '/api/v1/schemes').length).toBeGreaterThanOrEqual(2)

    q<HTMLButtonElement>('#my-scheme-7-withdraw')!.click()
    await settle()
    expect(server.requests.at(-2)).toMatchObject({ method: 'PATCH', path: '/api/v1/schemes/7', body: { status: 'draft' } })
    expect(q('#my-scheme-7-item')!.textContent).toContain('Draft')
    expect(q('#my-scheme-7-publish')).not.toBeNull()
    expect(ctx.announced).toContain('“Contract bond guarantee” withdrawn: it is a draft again')
  })

  it('changes a scheme keeping its area unless another is chosen; a NACE code the API refuses is said beside the NACE field', async () => {
    const area = { type: 'MultiPolygon', coordinates: [[[[0, 0], [1, 0], [1, 1], [0, 0]]]] }
    const s = scheme(3, { area, sectors: [{ scheme: 'CPV', code: '45' }, { scheme: 'NACE', code: 'F' }], rolling: false, closes_on: '2030-06-30', translations: { en: { title: 'Bid-ready grant', summary: '' }, sv: { title: 'Anbudsbidrag', summary: '' } } })
    let patches = 0
    const server = fakeServer({
      'GET /api/v1/schemes/managed': () => page([s]),
      'GET /api/v1/schemes/3/grants': () => [],
      'GET /api/v1/opportunities': () => page([]),
      'GET /api/v1/cpv': () => ({ items: [{ code: '45000000-7', label: 'Construction work' }] }),
      'PATCH /api/v1/schemes/3': (req: Request) => {
        if (!patches++) return [422, { detail: "sectors[1].code: 'X1' is not a NACE Rev. 2 code (a section letter A-U, or a division, group or class such as 43, 43.3, 43.32)", code: 'InvalidInputError', key: 'invalid', params: {} }]
        return { ...s, ...(req.body as object) }
      },
    })
    const ctx = testContext(server.api, user(['admin']))
    render(h(MySchemes, { ctx, onChanged: () => undefined }), host)
    await settle()
    q<HTMLButtonElement>('#my-scheme-3-edit')!.click()
    await settle()
    expect(q('#scheme-form-h')!.textContent).toBe('Change “Bid-ready grant”')
    expect(q<HTMLInputElement>('#scheme-area-keep')!.checked).toBe(true)
    expect(q<HTMLInputElement>('#scheme-closes_on')!.value).toBe('2030-06-30')
    expect(q<HTMLInputElement>('#scheme-title-sv')!.value).toBe('Anbudsbidrag')
    // the CPV sector shown as a chip, named by the code it stands for
    expect(q('.cpv-picker .chips')!.textContent).toContain('45 Construction work')
    type(q('#scheme-nace'), 'X1')
    await settle()
    q<HTMLButtonElement>('#scheme-save')!.click()
    await settle()
    expect(q('#scheme-nace-error')!.textContent).toContain("'X1' is not a NACE Rev. 2 code")
    expect(q('#scheme-nace')!.getAttribute('aria-describedby')).toBe('scheme-nace-hint scheme-nace-error')
    expect(q('#scheme-cpv-error')).toBeNull()
    type(q('#scheme-nace'), 'F')
    await settle()
    q<HTMLButtonElement>('#scheme-save')!.click()
    await settle()
    const patch = server.requests.filter((r) => r.method === 'PATCH').at(-1)!
    expect(patch.body).not.toHaveProperty('area') // kept as it is
    expect(patch.body).not.toHaveProperty('status') // changing is not publishing
    expect(patch.body).toMatchObject({ sectors: [{ scheme: 'CPV', code: '45' }, { scheme: 'NACE', code: 'F' }], closes_on: '2030-06-30' })
    expect(ctx.announced).toContain('Changes to “Bid-ready grant” saved')
    expect(q('#scheme-form-h')).toBeNull()
  })

  it('records a grant under a scheme: the recipient found in the directory, the missing amount said, the 360Giving link', async () => {
    const grants: unknown[] = []
    const server = fakeServer({
      'GET /api/v1/schemes/managed': () => page([scheme(3)]),
      'GET /api/v1/schemes/3/grants': () => grants,
      'GET /api/v1/organisations': (req: Request) => ({ items: req.query.get('q') === 'barb' ? [{ id: 8, name: 'Barbican Gardens Ltd', size: 'small', identifier: null }] : [], total: 1, limit: 10, offset: 0, next: null, prev: null }),
      'POST /api/v1/schemes/3/grants': (req: Request) => {
        const b = req.body as { organisation_id: number; amount: number; awarded_on: string; currency: string; title: string | null }
        const g = { id: 1, scheme_id: 3, organisation_name: 'Barbican Gardens Ltd', ...b, title: b.title ?? '' }
        grants.push(g)
        return [201, g]
      },
      'DELETE /api/v1/grants/1': () => (grants.splice(0), [204, null]),
    })
    const ctx = testContext(server.api, user(['funder']))
    render(h(MySchemes, { ctx, onChanged: () => undefined }), host)
    await settle()
    expect(q('#grant-3-h')!.textContent).toBe('Grants awarded')
    expect(q('#grant-3-360')).toBeNull() // nothing to export yet
    expect(q('#grant-3-form-h')!.textContent).toBe('Record a grant')
    const form = q<HTMLFormElement>('form.grant-form')!
    type(q('#grant-3-date'), '2026-06-02')
    await settle()
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(q('#grant-3-org-error')!.textContent).toBe('Choose the recipient organisation.')
    expect(q('#grant-3-amount-error')!.textContent).toBe('Give the amount awarded.')
    expect(q('#grant-3-amount')!.getAttribute('aria-describedby')).toBe('grant-3-amount-error')
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
    // the recipient from the directory: typed, Enter picks the match
    type(q('#grant-3-org'), 'barb')
    await settle()
    q('#grant-3-org')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await settle()
    expect(q<HTMLInputElement>('#grant-3-org')!.value).toBe('Barbican Gardens Ltd')
    expect(q('#grant-3-org-error')).toBeNull()
    type(q('#grant-3-amount'), '4500')
    await settle()
    expect(q('#grant-3-amount-error')).toBeNull() // said until the field changes
    type(q('#grant-3-title'), 'First tender')
    await settle()
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(server.requests.find((r) => r.method === 'POST')!.body).toEqual({ organisation_id: 8, amount: 4500, currency: 'GBP', awarded_on: '2026-06-02', title: 'First tender' })
    expect(q('#grant-3-list')!.textContent).toContain('Barbican Gardens Ltd: £4,500 on 2 Jun 2026 — First tender')
    expect(q<HTMLAnchorElement>('#grant-3-360')!.getAttribute('href')).toBe('/api/v1/grants/360giving.json')
    expect(ctx.announced).toContain('Grant to Barbican Gardens Ltd recorded')
    // recorded in error: withdrawn after a confirming step, a cancel first changes nothing
    q<HTMLButtonElement>('#grant-1-withdraw')!.click()
    await settle()
    expect(q('#grant-1-withdraw-yes')!.getAttribute('aria-label')).toBe('Yes, withdraw the grant to Barbican Gardens Ltd')
    q<HTMLButtonElement>('#grant-1-withdraw-no')!.click()
    await settle()
    expect(server.requests.some((r) => r.method === 'DELETE')).toBe(false)
    q<HTMLButtonElement>('#grant-1-withdraw')!.click()
    await settle()
    q<HTMLButtonElement>('#grant-1-withdraw-yes')!.click()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'DELETE', path: '/api/v1/grants/1' })
    expect(q('#grant-3-list')).toBeNull()
    expect(ctx.announced.at(-1)).toBe('Grant to Barbican Gardens Ltd withdrawn')
    store.locale.value = 'hu'
    ctx.i18n.set('hu')
    await settle()
    expect(q('#my-schemes-h')!.textContent).toBe('Saját programjaim')
    store.locale.value = 'en'
    ctx.i18n.set('en')
  })

  it('is not offered to an SME or a planner', async () => {
    const server = fakeServer({ 'GET /api/v1/schemes': () => page([]), 'GET /api/v1/guide': () => [], 'GET /api/v1/saved-searches/funding': () => [], 'GET /api/v1/awards/kpis': () => [404, { detail: 'x', code: 'NotFound' }] })
    for (const roles of [['sme'], ['planner']] as const) {
      const panel = new FundingPanel(testContext(server.api, user([...roles])))
      render(panel.render(), host)
      await panel.load()
      await settle()
      expect(q('#my-schemes')).toBeNull()
    }
    expect(server.requests.some((r) => r.path === '/api/v1/schemes/managed')).toBe(false)
  })

  it('says a distance missing for the area once, under its group, and ties its boxes to it', async () => {
    const server = fakeServer({ 'GET /api/v1/schemes/managed': () => page([]), 'GET /api/v1/opportunities': () => page([]) })
    const ctx = testContext(server.api, user(['funder']))
    render(h(MySchemes, { ctx, onChanged: () => undefined }), host)
    await settle()
    q<HTMLButtonElement>('#my-schemes-new')!.click()
    await settle()
    type(q('#scheme-provider'), 'Fund')
    type(q('#scheme-title-en'), 'Loan')
    tick(q('#scheme-area-radius'))
    await settle()
    type(q('#scheme-lat'), '51.5')
    await settle()
    q<HTMLButtonElement>('#scheme-draft')!.click()
    await settle()
    expect(host.querySelectorAll('.error')).toHaveLength(1)
    expect(q('#scheme-area-error')!.textContent).toBe('Give the latitude, the longitude and a distance of 1 to 500 km.')
    for (const f of ['radius_km', 'lat', 'lon']) {
      expect(q(`#scheme-${f}`)!.getAttribute('aria-invalid')).toBe('true')
      expect(q(`#scheme-${f}`)!.getAttribute('aria-describedby')).toBe('scheme-area-error')
    }
    expect(q('#scheme-area')!.getAttribute('aria-describedby')).toBe('scheme-area-error')
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
  })

  it('draws the area as a closed ring at the distance asked', () => {
    const { coordinates } = circlePolygon(-0.09, 51.52, 30)
    const ring = coordinates[0]
    expect(ring).toHaveLength(49)
    expect(ring[0]).toEqual(ring[48])
    const R = 6371.0088
    const rad = Math.PI / 180
    for (const [lon, lat] of ring) {
      const a = Math.sin(((lat - 51.52) * rad) / 2) ** 2 + Math.cos(51.52 * rad) * Math.cos(lat * rad) * Math.sin(((lon + 0.09) * rad) / 2) ** 2
      expect(2 * R * Math.asin(Math.sqrt(a))).toBeCloseTo(30, 1)
    }
  })
})
