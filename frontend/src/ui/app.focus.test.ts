// @vitest-environment happy-dom
// Focus across views in the real app shell (no 3D view): a proposal opened from a work package's
// detail goes back to that detail, its link focused; the tabs' own state is kept.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Opportunity, Proposal } from '../api'
import { I18n } from '../i18n'
import { App } from './app'
import { setImpactSection } from './proposals'
import { resetStore, store } from './store'
import { fakeServer, settle } from './testing'

const proposal = {
  id: 5, reference: 'T/5', title: 'Lantern Court', application_type: 'full', stage: 'consultation', decision: null, site_address: '5 Test Street',
  site_boundary: null, consultation_start: '2026-01-01', consultation_end: '2099-01-01', published_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  description: 'About it.', use_classes_existing: [], use_classes_proposed: [], dwellings: null, floor_area_existing_m2: null, floor_area_proposed_m2: null,
  decision_date: null, tileset: null, replaces: [], massing: { type: 'FeatureCollection', features: [] }, massing_tileset_url: null, model: null, documents: [],
  created_by: null, created_at: '2026-01-01T00:00:00Z',
} as unknown as Proposal

const opportunity = {
  id: 9, proposal_id: 5, proposal_title: 'Lantern Court', proposal_reference: 'T/5', title: 'Green roof', description: 'Roofs', cpv: [],
  value: { amount: 1000, min: null, max: null, currency: 'GBP' }, sme_suitable: true, tender_period: { start: null, end: '2099-02-01' },
  contract_period: { start: null, end: null }, delivery_location: null, status: 'planned', social_value: [], contact: { name: null, email: null, phone: null },
  documents: [], distance_km: null,
} as unknown as Opportunity

async function frames() {
  await settle()
  for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(() => r(undefined)))
  await settle()
}

describe('focus across views', () => {
  let host: HTMLElement
  beforeEach(() => {
    resetStore()
    setImpactSection(undefined)
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => {
    setImpactSection(undefined)
    document.body.replaceChildren()
  })

  it('a proposal opened from a work package goes back to the work package, its link focused', async () => {
    const server = fakeServer({
      'GET /api/v1/auth/me': () => [401, { detail: 'not signed in', code: 'NotAuthenticated' }],
      'GET /api/v1/proposals': () => ({ items: [proposal], total: 1, limit: 100, offset: 0 }),
      'GET /api/v1/proposals/5': () => proposal,
      'GET /api/v1/proposals/5/comments': () => ({ items: [], total: 0, limit: 50, offset: 0 }),
      'GET /api/v1/opportunities': () => ({ items: [opportunity], total: 1, limit: 50, offset: 0 }),
      'GET /api/v1/opportunities/9/schemes': () => [],
    })
    const app = new App(server.api, new I18n('en'), host, { shadows: false, hash: '', timeZone: 'Europe/London' })
    await app.start()
    await frames()
    host.querySelector<HTMLButtonElement>('#tab-opportunities')!.click()
    await frames()
    host.querySelector<HTMLFormElement>('form.filters')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await frames()
    host.querySelector<HTMLButtonElement>('#opp-card-9')!.click()
    await frames()
    const link = host.querySelector<HTMLButtonElement>('#opp-development')!
    link.focus()
    link.click()
    await frames()
    expect(store.tab.value).toBe('proposals')
    expect(document.activeElement?.id).toBe('proposal-h')
    host.querySelector<HTMLButtonElement>('#proposal-back')!.click()
    await frames()
    expect(store.selection.value.proposal).toBeUndefined()
    expect(store.tab.value).toBe('opportunities')
    expect(document.activeElement?.id).toBe('opp-development')
    expect(host.querySelector('#opp-h')!.textContent).toBe('Green roof')
  })

  it('a proposal opened from the list still goes back to its card', async () => {
    const server = fakeServer({
      'GET /api/v1/auth/me': () => [401, { detail: 'not signed in', code: 'NotAuthenticated' }],
      'GET /api/v1/proposals': () => ({ items: [proposal], total: 1, limit: 100, offset: 0 }),
      'GET /api/v1/proposals/5': () => proposal,
      'GET /api/v1/proposals/5/comments': () => ({ items: [], total: 0, limit: 50, offset: 0 }),
      'GET /api/v1/opportunities': () => ({ items: [], total: 0, limit: 100, offset: 0 }),
    })
    const app = new App(server.api, new I18n('en'), host, { shadows: false, hash: '', timeZone: 'Europe/London' })
    await app.start()
    await frames()
    const card = host.querySelector<HTMLButtonElement>('#proposal-card-5')!
    card.focus()
    card.click()
    await frames()
    host.querySelector<HTMLButtonElement>('#proposal-back')!.click()
    await frames()
    expect(store.tab.value).toBe('proposals')
    expect(document.activeElement?.id).toBe('proposal-card-5')
  })

  it('a whole render of the app keeps the focused field, its text and its caret (Preact keeps the node)', async () => {
    const server = fakeServer({
      'GET /api/v1/auth/me': () => [401, { detail: 'not signed in', code: 'NotAuthenticated' }],
      'GET /api/v1/proposals': () => ({ items: [proposal], total: 1, limit: 100, offset: 0 }),
    })
    const app = new App(server.api, new I18n('en'), host, { shadows: false, hash: '', timeZone: 'Europe/London' })
    await app.start()
    await frames()
    const field = host.querySelector<HTMLInputElement>('#proposals-q')!
    field.focus()
    field.value = 'lantern court'
    field.dispatchEvent(new Event('input', { bubbles: true }))
    field.setSelectionRange(3, 7)
    // a live event, a language load, the 3D view: anything may render the whole app meanwhile
    app.refresh()
    await frames()
    app.announce('something happened')
    app.refresh()
    await frames()
    const after = host.querySelector<HTMLInputElement>('#proposals-q')!
    expect(after).toBe(field)
    expect(document.activeElement).toBe(field)
    expect(after.value).toBe('lantern court')
    expect([after.selectionStart, after.selectionEnd]).toEqual([3, 7])
  })
})
