// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Opportunity } from '../api'
import { I18n } from '../i18n'
import { OpportunitiesPanel } from './opportunities'
import { store } from './store'
import { componentsRendered, fakeServer, settle, testContext, user, type Routes } from './testing'

function opportunity(id: number, extra: Partial<Opportunity> = {}): Opportunity {
  return {
    id,
    proposal_id: 3,
    proposal_title: 'Canal Wharf',
    proposal_reference: 'PL/3',
    title: `Work package ${id}`,
    description: 'Roofs and solar panels',
    cpv: [{ code: '45261215-4', labels: { en: 'Solar panel roof-covering work', sv: 'Takläggning med solpaneler' } }],
    value: { amount: null, min: 50000, max: 80000, currency: 'GBP' },
    sme_suitable: true,
    tender_period: { start: '2026-01-01', end: '2099-06-30' },
    contract_period: { start: null, end: null },
    delivery_location: null,
    status: 'active',
    social_value: ['local_employment'],
    contact: { name: 'Ann', email: 'ann@example.org', phone: null },
    documents: [],
    distance_km: null,
    ...extra,
  } as unknown as Opportunity
}

const page = (items: Opportunity[]) => ({ items, total: items.length, limit: 50, offset: 0, next: null, prev: null })

function type(el: HTMLInputElement, value: string) {
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

describe('opportunities panel', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  function setup(roles: Parameters<typeof user>[0] | undefined, routes: Routes = {}) {
    const saved: { id: number; name: string; query: unknown }[] = []
    const server = fakeServer({
      'GET /api/v1/opportunities': (req) => (req.query.get('sme_suitable') === 'true' ? page([opportunity(1), opportunity(2)]) : page([opportunity(1)])),
      'GET /api/v1/saved-searches': () => saved,
      'POST /api/v1/saved-searches': (req) => {
        const body = req.body as { name: string; query: unknown }
        saved.push({ id: saved.length + 1, ...body })
        return [201, saved.at(-1)]
      },
      'GET /api/v1/organisations/me/interests': () => [],
      'GET /api/v1/organisations/me': () => ({ id: 9, name: 'Roofs Ltd', location: null }),
      'GET /api/v1/opportunities/1/schemes': () => [],
      'GET /api/v1/opportunities/2/schemes': () => [],
      ...routes,
    })
    const u = roles ? { ...user(roles), organisation_id: roles.includes('sme') ? 9 : null } : undefined
    const ctx = testContext(server.api, u)
    const panel = new OpportunitiesPanel(ctx)
    render(panel.render(), host)
    return { panel, ctx, server, saved }
  }
  const $ = <T extends Element = HTMLInputElement>(sel: string) => host.querySelector<T>(sel)!
  const submit = () => $<HTMLFormElement>('form.filters').dispatchEvent(new Event('submit', { cancelable: true }))

  it('typing in the filters renders nothing; the search sends them and lists the results', async () => {
    const { server, ctx } = setup(['citizen'])
    await settle()
    expect(await componentsRendered(() => type($('#opps-q'), 'roof'))).toEqual([])
    expect(await componentsRendered(() => type($('#opps-min_value'), '50000'))).toEqual([])
    $('#opps-sme').click()
    submit()
    await settle()
    const sent = server.requests.at(-1)!
    expect(sent).toMatchObject({ method: 'GET', path: '/api/v1/opportunities' })
    expect([sent.query.get('q'), sent.query.get('min_value'), sent.query.get('sme_suitable')]).toEqual(['roof', '50000', 'true'])
    expect([...host.querySelectorAll('ul.cards .card-title')].map((x) => x.textContent)).toEqual(['Work package 1', 'Work package 2'])
    expect(ctx.announced.at(-1)).toBe('2 opportunities')
    // the typed text stays in the fields (the form was not rebuilt)
    expect($('#opps-q').value).toBe('roof')
  })

  it('opens a work package with its title focused, and goes back to the card it came from', async () => {
    setup(undefined)
    submit()
    await settle()
    const card = $<HTMLButtonElement>('#opp-card-1')
    card.focus()
    card.click()
    await settle()
    expect(document.activeElement?.id).toBe('opp-h')
    expect($('article.detail dl.props').textContent).toContain('Solar panel roof-covering work')
    // signed out: the way to sign in, not a dead button
    expect($('.sign-in-prompt a')).not.toBeNull()
    $<HTMLButtonElement>('#opp-back').click()
    await settle()
    expect(document.activeElement?.id).toBe('opp-card-1')
    expect($('#opps-q')).not.toBeNull()
  })

  it('a sub-package leads up to its parent work package, which opens in its place', async () => {
    const sub = opportunity(2, { title: 'Planting of the podium beds', parent_id: 1 } as Partial<Opportunity>)
    const { server } = setup(undefined, {
      'GET /api/v1/opportunities': () => page([sub]),
      'GET /api/v1/opportunities/1': () => opportunity(1, { title: 'Podium landscaping' }),
      'GET /api/v1/opportunities/1/sub-packages': () => [sub],
      'GET /api/v1/opportunities/2/sub-packages': () => [],
    })
    submit()
    await settle()
    $<HTMLButtonElement>('#opp-card-2').click()
    await settle()
    await settle()
    const up = $<HTMLButtonElement>('#opp-parent')
    expect(up.textContent).toBe('Podium landscaping')
    expect(up.closest('dd')!.previousElementSibling!.textContent).toBe('Sub-package of')
    up.click()
    await settle()
    expect($('#opp-h').textContent).toBe('Podium landscaping')
    expect(host.querySelector('#opp-parent')).toBeNull()
    expect(server.requests.filter((r) => r.path === '/api/v1/opportunities/1')).toHaveLength(1)
  })

  it('saves a search and runs it again: the run renders the results, not the form', async () => {
    const { server, saved, panel } = setup(['citizen'])
    await settle()
    $('#opps-sme').click()
    panel.cpv.set([{ code: '45261215', label: 'Solar panel roof-covering work' }])
    await settle()
    expect(await componentsRendered(() => type($('#opps-search-name'), 'SME work'))).toEqual([])
    $<HTMLButtonElement>('#opps-save-search').click()
    await settle()
    expect(saved).toEqual([{ id: 1, name: 'SME work', query: { cpv: ['45261215'], sme_suitable: true }, frequency: 'daily' }])
    expect($('#opps-search-name').value).toBe('')
    const run = host.querySelector<HTMLButtonElement>('button[aria-label="Run the saved search SME work"]')!
    const rendered = await componentsRendered(() => run.click())
    expect(server.requests.at(-1)!.query.get('sme_suitable')).toBe('true')
    expect(host.querySelectorAll('ul.cards li')).toHaveLength(2)
    expect(rendered).not.toContain('Filters')
    expect(rendered).toContain('Results')
  })

  it('pauses and resumes a saved search\'s alerts from its row, and says so', async () => {
    const stored = { id: 4, name: 'Roofs', query: {}, frequency: 'daily', paused: false, created_at: '2026-12-01T00:00:00Z', last_run_at: null }
    const { server, ctx } = setup(['sme'], {
      'GET /api/v1/saved-searches': () => [stored],
      'PATCH /api/v1/saved-searches/4': (req) => Object.assign(stored, req.body as object),
    })
    await settle()
    await settle()
    const select = $<HTMLSelectElement>('#opps-alerts-4')
    expect(host.querySelector('label[for="opps-alerts-4"]')!.textContent).toBe('Alerts for Roofs')
    expect(select.value).toBe('daily')
    expect([...select.options].map((o) => o.textContent)).toEqual(['Alerts: immediately', 'Alerts: daily', 'Alerts: weekly', 'Alerts paused'])
    select.value = 'paused'
    select.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/api/v1/saved-searches/4', body: { paused: true } })
    expect($<HTMLSelectElement>('#opps-alerts-4').value).toBe('paused')
    expect(ctx.announced.at(-1)).toBe('Alerts for Roofs: Alerts paused')
    select.value = 'weekly'
    select.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    expect(server.requests.at(-1)!.body).toEqual({ frequency: 'weekly', paused: false })
    expect($<HTMLSelectElement>('#opps-alerts-4').value).toBe('weekly')
  })

  it('an SME registers interest: only the detail\'s actions render, and the card shows it after', async () => {
    const { server, ctx } = setup(['sme'], { 'PUT /api/v1/opportunities/1/interest': () => ({ opportunity_id: 1, withdrawn: false }) })
    await settle()
    submit()
    await settle()
    $<HTMLButtonElement>('#opp-card-1').click()
    await settle()
    expect($('#opp-interest').textContent).toBe('Register interest')
    const rendered = await componentsRendered(() => $<HTMLButtonElement>('#opp-interest').click())
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/opportunities/1/interest' })
    expect(rendered).toEqual(['InterestActions'])
    expect($('#opp-interest').textContent).toBe('Withdraw interest')
    expect(ctx.announced.at(-1)).toBe('Your interest is registered.')
    $<HTMLButtonElement>('#opp-back').click()
    await settle()
    expect($('#opp-card-1 .badge.interest')).not.toBeNull()
    expect($('#opp-card-2 .badge.interest')).toBeNull()
  })

  it('says match reasons and a refused request in the reader\'s language', async () => {
    const { ctx } = setup(['sme'], {
      'GET /api/v1/organisations/me/matches': () => ({
        items: [{ opportunity: opportunity(1), score: 1, reasons: [{ kind: 'sector', detail: 'CPV 45261215-4 is in your sector 4526', params: { cpv: '45261215-4', prefix: '4526' } }, { kind: 'sme', detail: 'marked suitable for SMEs', params: {} }] }],
        total: 1,
      }),
      'PUT /api/v1/opportunities/1/interest': () => [403, { detail: 'needs the role sme', code: 'Forbidden', key: 'role_required', params: { role: ['sme'] } }],
    })
    ctx.i18n.set('sv')
    store.locale.value = 'sv'
    await settle()
    $<HTMLButtonElement>('#opps-matches').click()
    await settle()
    const sv = new I18n('sv')
    const card = $('#opp-card-1').textContent!
    expect(card).toContain(sv.t('match.sector', { cpv: '45261215-4', label: 'Takläggning med solpaneler', prefix: '4526' }))
    expect(card).toContain(sv.t('match.sme'))
    expect(card).not.toContain('is in your sector')
    $<HTMLButtonElement>('#opp-card-1').click()
    await settle()
    $<HTMLButtonElement>('#opp-interest').click()
    await settle()
    const said = ctx.announced.at(-1)!
    expect(said).toBe(sv.t('account.failed', { detail: sv.t('error.role_required', { role: sv.t('role.sme') }) }))
    expect(said).not.toContain('needs the role')
  })
})
