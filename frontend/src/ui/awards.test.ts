// @vitest-environment happy-dom
import { h, render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Opportunity } from '../api'
import { AwardsSection, SubPackages } from './awards'
import { store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

function opp(id: number, title: string): Opportunity {
  return {
    id,
    ocid: `ocds-x-opp-${id}`,
    proposal_id: 1,
    proposal_reference: 'P/1',
    proposal_title: 'Barbican',
    title,
    description: '',
    cpv: [],
    value: { amount: null, min: null, max: null, currency: 'GBP' },
    sme_suitable: true,
    tender_period: { start: null, end: null },
    contract_period: { start: null, end: null },
    delivery_location: { type: 'Point', coordinates: [-0.09, 51.52] },
    status: 'active',
    social_value: [],
    contact: { name: null, email: null, phone: null },
    documents: [],
    published_at: null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  } as unknown as Opportunity
}

const KPIS = { proposal_id: 1, currency: 'GBP', local_radius_km: 30, work_packages: 1, awarded_work_packages: 0, awards: 0, awarded_value: 0, sme_value: 0, local_sme_value: 0, sme_share: null, local_sme_share: null, sme_awards: 0, smes_engaged: 1, interest_registrations: 1, median_days_to_award: null, by_size: {} }

const change = (el: HTMLInputElement | HTMLSelectElement, value: string, kind = 'input') => {
  el.value = value
  el.dispatchEvent(new Event(kind, { bubbles: true }))
}

describe('awards and sub-packages', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  it('a supplier that registered no interest is found in the directory by name, with the keyboard', async () => {
    const org = (id: number, name: string) => ({ id, name, size: 'micro', description: null, website: null, sectors: [], location: null, service_radius_km: null, identifier: id === 31 ? 'GB-COH-0042' : null, created_at: '', updated_at: '' })
    const server = fakeServer({
      'GET /api/v1/awards/kpis': () => KPIS,
      'GET /api/v1/opportunities/4/awards': () => [],
      'GET /api/v1/opportunities/4/interests': () => ({ items: [{ id: 1, opportunity_id: 4, organisation_id: 8, organisation_name: 'Barbican Gardens Ltd', message: '', withdrawn: false, created_at: '', updated_at: '' }], total: 1 }),
      'GET /api/v1/organisations': (req) => {
        const q = req.query.get('q')!.toLowerCase()
        const items = [org(30, 'Aldgate Roofing'), org(31, 'Roofs of Moorgate')].filter((o) => o.name.toLowerCase().includes(q))
        return { items, total: items.length, limit: 10, offset: 0, next: null, prev: null }
      },
      'POST /api/v1/opportunities/4/awards': (req) => {
        const b = req.body as { supplier_id: number }
        return [201, { id: 3, opportunity_id: 4, proposal_id: 1, supplier_id: b.supplier_id, supplier_name: 'Roofs of Moorgate', supplier_size: 'micro', value_amount: 500, currency: 'GBP', awarded_on: '2026-11-30', created_at: '' }]
      },
    })
    const ctx = testContext(server.api, user(['planner']))
    render(h(AwardsSection, { ctx, proposalId: 1, opportunities: [opp(4, 'Green roof')] }), host)
    await settle()
    await settle()
    expect(host.querySelector('#award-4-supplier-q')).toBeNull()
    const supplier = host.querySelector<HTMLSelectElement>('#award-4-supplier')!
    expect(supplier.options[supplier.options.length - 1].textContent).toBe('Another organisation (search the directory)')
    change(supplier, 'other', 'change')
    await settle()
    const box = host.querySelector<HTMLInputElement>('#award-4-supplier-q')!
    expect(host.querySelector('label[for="award-4-supplier-q"]')!.textContent).toBe('Find the supplier organisation')
    expect(box.getAttribute('role')).toBe('combobox')
    change(box, 'roof')
    await new Promise((r) => setTimeout(r, 300))
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/v1/organisations' })
    expect(box.getAttribute('aria-expanded')).toBe('true')
    const options = [...host.querySelectorAll('#award-4-supplier-q-list [role=option]')].map((o) => o.textContent)
    expect(options).toEqual(['Aldgate Roofing · Micro', 'Roofs of Moorgate · Micro · GB-COH-0042'])
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
    await settle()
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowDown', bubbles: true }))
    await settle()
    expect(box.getAttribute('aria-activedescendant')).toBe('award-4-supplier-q-opt-1')
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }))
    await settle()
    expect(box.value).toBe('Roofs of Moorgate')
    expect(box.getAttribute('aria-expanded')).toBe('false')
    expect(ctx.announced).toContain('Roofs of Moorgate chosen')
    change(host.querySelector<HTMLInputElement>('#award-4-value')!, '500')
    change(host.querySelector<HTMLInputElement>('#award-4-date')!, '2026-11-30')
    await settle()
    host.querySelector<HTMLFormElement>('form.award-form')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(server.requests.find((r) => r.method === 'POST')).toMatchObject({ body: { supplier_id: 31, value_amount: 500 } })
    expect(host.querySelector('ul.awards')!.textContent).toContain('Roofs of Moorgate (Micro)')
  })

  it('with no interested organisation the directory search is the supplier field, and a missing choice is said beside it', async () => {
    const server = fakeServer({
      'GET /api/v1/awards/kpis': () => KPIS,
      'GET /api/v1/opportunities/4/awards': () => [],
      'GET /api/v1/opportunities/4/interests': () => ({ items: [], total: 0 }),
    })
    const ctx = testContext(server.api, user(['planner']))
    render(h(AwardsSection, { ctx, proposalId: 1, opportunities: [opp(4, 'Green roof')] }), host)
    await settle()
    await settle()
    expect(host.querySelector('#award-4-supplier')).toBeNull()
    host.querySelector<HTMLFormElement>('form.award-form')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    const box = host.querySelector<HTMLInputElement>('#award-4-supplier-q')!
    expect(host.querySelector('#award-4-supplier-q-error')!.textContent).toBe('Choose the supplier organisation.')
    expect(box.getAttribute('aria-describedby')).toBe('award-4-supplier-q-hint award-4-supplier-q-error')
    expect(box.getAttribute('aria-invalid')).toBe('true')
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
  })

  it('a planner records an award to an interested organisation; the KPIs are fetched again', async () => {
    let kpiCalls = 0
    const server = fakeServer({
      'GET /api/v1/awards/kpis': () => {
        kpiCalls++
        return kpiCalls > 1 ? { ...KPIS, awards: 1, awarded_work_packages: 1, awarded_value: 1000, sme_value: 1000, sme_share: 1, median_days_to_award: 3 } : KPIS
      },
      'GET /api/v1/opportunities/4/awards': () => [],
      'GET /api/v1/opportunities/4/interests': () => ({ items: [{ id: 1, opportunity_id: 4, organisation_id: 8, organisation_name: 'Barbican Gardens Ltd', message: '', withdrawn: false, created_at: '', updated_at: '' }], total: 1 }),
      'POST /api/v1/opportunities/4/awards': (req) => {
        const b = req.body as { supplier_id: number; value_amount: number; awarded_on: string; supplier_size: string | null }
        if (b.value_amount > 1e9) return [422, { detail: 'value_amount: too large', code: 'InvalidInputError', key: 'invalid_field', params: { field: 'value_amount' } }]
        return [201, { id: 2, opportunity_id: 4, proposal_id: 1, supplier_id: b.supplier_id, supplier_name: 'Barbican Gardens Ltd', supplier_size: b.supplier_size ?? 'small', value_amount: b.value_amount, currency: 'GBP', awarded_on: b.awarded_on, created_at: '' }]
      },
    })
    const ctx = testContext(server.api, user(['planner']))
    render(h(AwardsSection, { ctx, proposalId: 1, opportunities: [opp(4, 'Green roof')] }), host)
    await settle()
    expect(host.querySelector('#award-kpi-sme')).not.toBeNull()
    const form = host.querySelector<HTMLFormElement>('form.award-form')!
    // nothing chosen: each missing field says so beside it
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(host.querySelector('#award-4-supplier-error')!.textContent).toBe('Choose the supplier organisation.')
    expect(host.querySelector('#award-4-supplier')!.getAttribute('aria-describedby')).toBe('award-4-supplier-error')
    expect(host.querySelector('#award-4-date-error')).not.toBeNull()
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
    const supplier = host.querySelector<HTMLSelectElement>('#award-4-supplier')!
    expect([...supplier.options].map((o) => o.textContent)).toContain('Barbican Gardens Ltd')
    change(supplier, '8', 'change')
    change(host.querySelector<HTMLInputElement>('#award-4-value')!, '99999999999')
    change(host.querySelector<HTMLInputElement>('#award-4-date')!, '2026-11-30')
    await settle()
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    // the API's error is shown beside the field it names
    expect(host.querySelector('#award-4-value-error')).not.toBeNull()
    expect(host.querySelector('#award-4-supplier-error')).toBeNull()
    change(host.querySelector<HTMLInputElement>('#award-4-value')!, '1000')
    change(host.querySelector<HTMLSelectElement>('#award-4-size')!, 'micro', 'change')
    await settle()
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(server.requests.at(-2)).toMatchObject({ method: 'POST', body: { supplier_id: 8, value_amount: 1000, currency: 'GBP', awarded_on: '2026-11-30', supplier_size: 'micro' } })
    expect(host.querySelector('ul.awards')!.textContent).toContain('Barbican Gardens Ltd (Micro)')
    expect(ctx.announced).toContain('Award to Barbican Gardens Ltd recorded')
    expect(host.querySelector('#award-kpi-awards')!.textContent).toBe('1 / 1')
    expect(host.querySelector<HTMLMeterElement>('#award-kpi-sme')!.value).toBeCloseTo(1)
    ctx.i18n.set('it')
    store.locale.value = 'it'
    await settle()
    expect(host.querySelector('#awards-h')!.textContent).toBe('Aggiudicazioni dei pacchetti di lavoro')
    expect(host.querySelector('ul.awards')!.textContent).toContain('(Microimpresa)')
    ctx.i18n.set('en')
    store.locale.value = 'en'
  })

  it('the winning contractor posts a sub-package; others only see the list', async () => {
    const subs: Opportunity[] = []
    let refused = 0
    const routes = {
      'GET /api/v1/opportunities/4/sub-packages': () => subs,
      'GET /api/v1/opportunities/4/awards': () => [{ id: 2, opportunity_id: 4, proposal_id: 1, supplier_id: 8, supplier_name: 'Gardens', supplier_size: 'small', value_amount: 1, currency: 'GBP', awarded_on: '2026-11-30', created_at: '' }],
      'GET /api/v1/organisations/me': () => ({ id: 8, name: 'Gardens' }),
      'GET /api/v1/cpv': () => ({ items: [{ code: '77310000-6', label: 'Planting and maintenance services of green areas' }] }),
      'POST /api/v1/opportunities/4/sub-packages': (req: { body: unknown }) => {
        const b = req.body as { title: string; cpv_codes: string[] }
        // the first post is refused by the server (say, a code outside the work package's sectors)
        if (!refused++) return [422, { detail: 'cpv_codes: 77310000-6 is not a sector of this work package', code: 'InvalidInputError' }]
        const made = opp(5, b.title)
        subs.push(made)
        return [201, made]
      },
    }
    const server = fakeServer(routes)
    const ctx = testContext(server.api, user(['contractor']))
    const opened: Opportunity[] = []
    render(h(SubPackages, { ctx, o: opp(4, 'Green roof'), onOpen: (s) => opened.push(s) }), host)
    await settle()
    expect(host.querySelector('.sub-packages')!.textContent).toContain('No sub-packages posted.')
    const form = host.querySelector<HTMLFormElement>('form.sub-form')!
    change(host.querySelector<HTMLInputElement>('#sub-title')!, 'Planting of the podium beds')
    // no sector chosen: said beside the CPV combobox, tied to it, nothing sent
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    const cpvInput = host.querySelector<HTMLInputElement>('#sub-cpv')!
    expect(host.querySelector('#sub-cpv-error')!.textContent).toBe('Choose at least one CPV code.')
    expect(cpvInput.getAttribute('aria-describedby')).toContain('sub-cpv-error')
    expect(cpvInput.getAttribute('aria-invalid')).toBe('true')
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
    // the combobox: words or a code, then Enter picks the match
    change(cpvInput, '7731')
    await new Promise((r) => setTimeout(r, 300))
    await settle()
    cpvInput.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }))
    await settle()
    expect([...host.querySelectorAll('.sub-form .chips li span')].map((x) => x.textContent)).toEqual(['77310000-6 Planting and maintenance services of green areas'])
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(host.querySelector('#sub-cpv-error')!.textContent).toContain('not a sector of this work package')
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', body: { title: 'Planting of the podium beds', cpv_codes: ['77310000-6'], status: 'active' } })
    expect(host.querySelector('#sub-cpv-error')).toBeNull()
    const link = host.querySelector<HTMLButtonElement>('ul.sub-list button')!
    expect(link.textContent).toBe('Planting of the podium beds')
    link.click()
    expect(opened.map((o) => o.id)).toEqual([5])
    // an SME sees the list, not the form
    render(null, host)
    const sme = testContext(fakeServer(routes).api, user(['sme'], 2))
    render(h(SubPackages, { ctx: sme, o: opp(4, 'Green roof'), onOpen: () => undefined }), host)
    await settle()
    expect(host.querySelector('ul.sub-list')!.textContent).toContain('Planting of the podium beds')
    expect(host.querySelector('form.sub-form')).toBeNull()
    // a work package without sub-packages shows none of this to an SME
    subs.length = 0
    render(null, host)
    render(h(SubPackages, { ctx: sme, o: opp(4, 'Green roof'), onOpen: () => undefined }), host)
    await settle()
    expect(host.querySelector('.sub-packages')).toBeNull()
  })
})
