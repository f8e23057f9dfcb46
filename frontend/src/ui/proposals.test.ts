// @vitest-environment happy-dom
// The proposals panel inside the real app shell (no 3D view: `map` stays undefined, as without
// WebGL), over the real Api client and an in-memory server.
import { h } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Proposal, ProposalSummary } from '../api'
import { I18n } from '../i18n'
import { App } from './app'
import { setImpactSection } from './proposals'
import { resetStore, store } from './store'
import { fakeServer, settle } from './testing'

const summary = (id: number, title: string, stage: ProposalSummary['stage'] = 'consultation'): ProposalSummary => ({
  id,
  reference: `T/${id}`,
  title,
  application_type: 'full',
  stage,
  decision: null,
  site_address: `${id} Test Street`,
  site_boundary: null,
  consultation_start: '2026-01-01',
  consultation_end: '2099-01-01',
  published_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
})

const full = (s: ProposalSummary): Proposal => ({
  ...s,
  description: `About ${s.title}.`,
  use_classes_existing: [],
  use_classes_proposed: ['C3'],
  dwellings: 48,
  floor_area_existing_m2: null,
  floor_area_proposed_m2: null,
  decision_date: null,
  tileset: null,
  replaces: [],
  massing: { type: 'FeatureCollection', features: [{ properties: { name: 'Block A', height_m: 40, storeys: 12 } }] },
  massing_tileset_url: null,
  model: null,
  documents: [],
  created_by: null,
  created_at: '2026-01-01T00:00:00Z',
})

const items = [summary(5, 'Lantern Court'), summary(6, 'Canal Wharf')]

async function frames() {
  await settle()
  await new Promise((r) => requestAnimationFrame(() => r(undefined)))
  await settle()
}

describe('proposals panel in the app', () => {
  let host: HTMLElement
  beforeEach(() => {
    resetStore()
    setImpactSection(undefined) // the impact panel registers one when its module loads
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => {
    setImpactSection(undefined)
    document.body.replaceChildren()
  })

  async function start() {
    const server = fakeServer({
      'GET /api/v1/auth/me': () => [401, { detail: 'not signed in', code: 'NotAuthenticated' }],
      'GET /api/v1/proposals': () => ({ items, total: items.length, limit: 100, offset: 0 }),
      'GET /api/v1/proposals/5': () => full(items[0]),
      'GET /api/v1/proposals/5/comments': () => ({ items: [], total: 0, limit: 50, offset: 0 }),
      'GET /api/v1/opportunities': (req) => ({
        items: req.query.get('proposal_id') === '5' ? [{ id: 9, title: 'Green roof', status: 'planned', tender_period: { end: '2099-02-01' } }] : [],
        total: 1,
        limit: 100,
        offset: 0,
      }),
    })
    const i18n = new I18n('en')
    const app = new App(server.api, i18n, host, { shadows: false, hash: '', timeZone: 'Europe/London' })
    await app.start()
    await frames()
    return { app, server, i18n }
  }

  it('opens a proposal as its own view with its sections, the title focused, and the selection in the store', async () => {
    await start()
    const card = host.querySelector<HTMLButtonElement>('#proposal-card-5')!
    card.focus()
    card.click()
    await frames()
    expect(store.selection.value.proposal?.id).toBe(5)
    expect(host.querySelector('#proposal-h')!.textContent).toContain('Lantern Court')
    expect(document.activeElement?.id).toBe('proposal-h')
    const nav = [...host.querySelectorAll('nav.sections button')].map((b) => b.textContent)
    // (the app installs the impact panel's section: it comes last)
    expect(nav.slice(0, 4)).toEqual(['Overview', 'Documents', 'Have your say', 'Work packages'])
    expect(host.querySelector('#proposal-work')!.textContent).toContain('Green roof')
    // the action bar has "comment here" and before/after while a consultation is open
    expect(host.querySelector('#bar-comment-here')).not.toBeNull()
    expect(host.querySelector('#ba-after')).not.toBeNull()
  })

  it('goes back to the list as it was: the typed filter, the card focused, the selection cleared', async () => {
    await start()
    const q = host.querySelector<HTMLInputElement>('#proposals-q')!
    q.value = 'court'
    q.dispatchEvent(new Event('input', { bubbles: true }))
    host.querySelector<HTMLButtonElement>('#proposal-card-5')!.click()
    await frames()
    host.querySelector<HTMLButtonElement>('#proposal-back')!.click()
    await frames()
    expect(store.selection.value.proposal).toBeUndefined()
    expect(host.querySelector<HTMLInputElement>('#proposals-q')!.value).toBe('court')
    expect(document.activeElement?.id).toBe('proposal-card-5')
    expect(host.querySelectorAll('.cards .card')).toHaveLength(2)
  })

  it('shows the Impact section only once a renderer is set, with what it renders', async () => {
    await start()
    setImpactSection(undefined)
    host.querySelector<HTMLButtonElement>('#proposal-card-5')!.click()
    await frames()
    expect(host.querySelector('#proposal-impact')).toBeNull()
    setImpactSection((p) => h('p', { class: 'impact-test' }, `impact of ${p.reference}`))
    await frames()
    expect(host.querySelector('#proposal-impact .impact-test')!.textContent).toBe('impact of T/5')
    expect([...host.querySelectorAll('nav.sections button')].map((b) => b.textContent)).toContain('Impact')
  })

  it('keeps the focused search field node while the list reloads', async () => {
    const { app } = await start()
    const q = host.querySelector<HTMLInputElement>('#proposals-q')!
    q.focus()
    app.refresh()
    await frames()
    expect(host.querySelector('#proposals-q')).toBe(q)
    expect(document.activeElement).toBe(q)
  })

  it('follows a language switch (the store locale) in the ported views', async () => {
    const { i18n } = await start()
    host.querySelector<HTMLButtonElement>('#proposal-card-5')!.click()
    await frames()
    i18n.set('sv')
    await frames()
    expect(store.locale.value).toBe('sv')
    expect(host.querySelector('#proposal-overview-h')!.textContent).toBe(i18n.t('proposals.overview'))
    expect(host.querySelector('#proposal-overview-h')!.textContent).not.toBe('Overview')
  })
})
