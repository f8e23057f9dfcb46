// @vitest-environment happy-dom
// Input first: a click in the panel holds the 3D view's frames until the panel's answer is in the
// DOM and painted (viewer/framegate.ts), even when the answer waits for the API.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Api, Proposal } from '../api'
import type { MapView } from '../core/mapview'
import { I18n } from '../i18n'
import { App, HOLD_FRAMES_MS } from './app'
import { setImpactSection } from './proposals'
import { resetStore } from './store'
import { fakeServer, settle } from './testing'

const proposal = {
  id: 5, reference: 'T/5', title: 'Lantern Court', application_type: 'full', stage: 'consultation', decision: null, site_address: '5 Test Street',
  site_boundary: null, consultation_start: '2026-01-01', consultation_end: '2099-01-01', published_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z',
  description: 'About it.', use_classes_existing: [], use_classes_proposed: [], dwellings: null, floor_area_existing_m2: null, floor_area_proposed_m2: null,
  decision_date: null, tileset: null, replaces: [], massing: { type: 'FeatureCollection', features: [] }, massing_tileset_url: null, model: null, documents: [],
  created_by: null, created_at: '2026-01-01T00:00:00Z',
} as unknown as Proposal

async function frames() {
  await settle()
  for (let i = 0; i < 3; i++) await new Promise((r) => requestAnimationFrame(() => r(undefined)))
  await settle()
}

/**
 * A 3D view that records the hold and release calls with what the panel showed at that moment;
 * every other method of the MapView contract does nothing (no WebGL in a DOM test).
 */
function recordingMap(host: HTMLElement) {
  const calls: { call: string; arg?: number; showsProposal: boolean }[] = []
  const own: Partial<MapView> = {
    ready: Promise.resolve(),
    getCamera: () => ({ position: { lon: 0, lat: 51.5, height: 300 }, heading: 0, pitch: -45, roll: 0 }),
    onCameraChanged: () => () => undefined,
    holdFrames: (ms: number) => void calls.push({ call: 'hold', arg: ms, showsProposal: !!host.querySelector('#proposal-h') }),
    releaseFrames: () => void calls.push({ call: 'release', showsProposal: !!host.querySelector('#proposal-h') }),
  }
  const map = new Proxy(own, { get: (t, k) => (k in t ? t[k as keyof MapView] : () => undefined) }) as MapView
  return { map, calls }
}

/** The app's routes, the proposal's answer coming only when the test calls `answer()` (a slow server). */
function slowProposalServer() {
  let release: (() => void) | undefined
  const server = fakeServer({
    'GET /api/v1/auth/me': () => [401, { detail: 'not signed in', code: 'NotAuthenticated' }],
    'GET /api/v1/proposals': () => ({ items: [proposal], total: 1, limit: 100, offset: 0 }),
    'GET /api/v1/proposals/5': () => proposal,
    'GET /api/v1/proposals/5/comments': () => ({ items: [], total: 0, limit: 50, offset: 0 }),
    'GET /api/v1/opportunities': () => ({ items: [], total: 0, limit: 100, offset: 0 }),
  })
  const api = server.api
  const original = api.proposal.bind(api)
  api.proposal = async (id) => {
    await new Promise<void>((r) => (release = r))
    return original(id)
  }
  return { api, answer: () => release?.() }
}

/** The real app shell on `api` with a recording 3D view, started and settled; the calls so far cleared. */
async function startWithMap(api: Api, host: HTMLElement) {
  const app = new App(api, new I18n('en'), host, { shadows: false, hash: '', timeZone: 'Europe/London' })
  const { map, calls } = recordingMap(host)
  app.attachMap(map)
  await app.start()
  await frames()
  calls.length = 0
  return calls
}

describe('the 3D view waits for the panel', () => {
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

  it('opening a proposal holds the frames until its view is shown, then releases them', async () => {
    const { api, answer } = slowProposalServer()
    const calls = await startWithMap(api, host)
    host.querySelector<HTMLButtonElement>('#proposal-card-5')!.click()
    await frames()
    // held at the click; the view is there at once from the list's item (its title, its
    // overview loading), and that render does not release the frames: the answer is pending
    expect(calls).toEqual([{ call: 'hold', arg: HOLD_FRAMES_MS, showsProposal: false }])
    expect(host.querySelector('#proposal-h')?.textContent).toBe('Lantern Court')
    expect(host.querySelector('#proposal-overview [role=status]')?.textContent).toBe('Loading…')
    expect(host.textContent).not.toContain('About it.')
    answer()
    await frames()
    expect(host.querySelector('#proposal-overview')?.textContent).toContain('About it.')
    expect(host.querySelector('#proposal-overview [role=status]')).toBeNull()
    expect(calls.map((c) => c.call)).toEqual(['hold', 'release'])
    expect(calls[1].showsProposal).toBe(true)
  })

  it('going back before the answer comes keeps the list: the late answer is dropped', async () => {
    const { api, answer } = slowProposalServer()
    const app = new App(api, new I18n('en'), host, { shadows: false, hash: '', timeZone: 'Europe/London' })
    await app.start()
    await frames()
    host.querySelector<HTMLButtonElement>('#proposal-card-5')!.click()
    await frames()
    host.querySelector<HTMLButtonElement>('#proposal-back')!.click()
    await frames()
    answer()
    await frames()
    expect(host.querySelector('#proposal-h')).toBeNull()
    expect(host.querySelector('#proposal-card-5')).not.toBeNull()
  })

  it('a tab switch releases the frames once the tab is shown', async () => {
    const server = fakeServer({
      'GET /api/v1/auth/me': () => [401, { detail: 'not signed in', code: 'NotAuthenticated' }],
      'GET /api/v1/proposals': () => ({ items: [proposal], total: 1, limit: 100, offset: 0 }),
      'GET /api/v1/opportunities': () => ({ items: [], total: 0, limit: 100, offset: 0 }),
    })
    const calls = await startWithMap(server.api, host)
    host.querySelector<HTMLButtonElement>('#tab-opportunities')!.click()
    await frames()
    expect(host.querySelector('#tabpanel-opportunities')).not.toBeNull()
    expect(calls.map((c) => c.call)).toEqual(['hold', 'release'])
  })

  it('a click the app does not render for (a component of its own, or nothing) releases after the paint', async () => {
    const { api } = slowProposalServer()
    const calls = await startWithMap(api, host)
    host.querySelector<HTMLElement>('#proposals-h')!.click()
    await frames()
    expect(calls.map((c) => c.call)).toEqual(['hold', 'release'])
  })
})
