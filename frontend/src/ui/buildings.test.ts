// @vitest-environment happy-dom
import { render } from 'preact'
import { beforeEach, describe, expect, it } from 'vitest'
import type { BuildingFeature } from '../api'
import type { BBox, BuildingProperties, MapView } from '../core/mapview'
import { BuildingsList } from './buildings'
import { store } from './store'
import { componentsRendered, fakeServer, settle, testContext } from './testing'

function building(id: string, name: string | null, height_m: number, ring: number[][]): BuildingFeature {
  return {
    type: 'Feature',
    id,
    geometry: { type: 'Polygon', coordinates: [ring] },
    properties: { building_id: id, tileset: 'london', name, address: null, building_type: 'office', height_m, base_height_m: 0, storeys: null },
  } as unknown as BuildingFeature
}

const VIEW: BBox = [-0.1, 51.5, -0.09, 51.51]
const A = building('way/1', 'Guildhall', 24.5, [[-0.092, 51.515], [-0.091, 51.515], [-0.091, 51.516], [-0.092, 51.515]])
const B = building('way/2', null, 12, [[-0.095, 51.512], [-0.094, 51.512], [-0.094, 51.513], [-0.095, 51.512]])

describe('BuildingsList', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })

  function setUp(numberMatched = 2) {
    const server = fakeServer({ 'GET /api/v1/buildings': () => ({ type: 'FeatureCollection', features: [A, B], numberMatched, numberReturned: 2 }) })
    const ctx = testContext(server.api)
    const calls = { highlighted: [] as (string | undefined)[], flown: [] as BBox[] }
    ctx.map = {
      viewBounds: () => VIEW,
      highlightBuilding: (id: string | undefined) => calls.highlighted.push(id),
      flyToBounds: (box: BBox) => calls.flown.push(box),
    } as unknown as MapView
    store.mapReady.value = true
    const chosen: (BuildingProperties | undefined)[] = []
    const panel = new BuildingsList(ctx, (props) => chosen.push(props))
    render(panel.render(), host)
    return { server, ctx, calls, chosen, panel }
  }

  async function open() {
    const details = host.querySelector<HTMLDetailsElement>('#buildings-near')!
    details.open = true
    details.dispatchEvent(new Event('toggle'))
    await settle()
  }

  it('loads the buildings in view when opened, with the bbox of the view', async () => {
    const { server } = setUp(120)
    expect(host.querySelector('.building-list')).toBeNull()
    await open()
    const req = server.requests.at(-1)!
    expect(req.path).toBe('/api/v1/buildings')
    expect(req.query.get('bbox')).toBe(VIEW.map((v) => v.toFixed(6)).join(','))
    const items = [...host.querySelectorAll('.building-list li')].map((li) => li.textContent)
    expect(items).toEqual(['Guildhall 24.5 m', 'office way/2 12 m'])
    expect(host.querySelector('.count')?.textContent).toBe('Showing 2 of 120 buildings')
  })

  it('choosing a building passes its properties on, marks it and flies to its footprint', async () => {
    const { calls, chosen, ctx } = setUp()
    await open()
    expect(host.querySelector('.count')?.textContent).toBe('2 buildings')
    const button = host.querySelectorAll<HTMLButtonElement>('.building-list button')[0]
    const rendered = await componentsRendered(() => button.click())
    expect(chosen).toHaveLength(1)
    expect(chosen[0]).toMatchObject({ building_id: 'way/1', name: 'Guildhall', height_m: 24.5 })
    expect(chosen[0]).not.toHaveProperty('tileset')
    expect(calls.highlighted).toEqual(['way/1'])
    expect(calls.flown).toEqual([[-0.092, 51.515, -0.091, 51.516]])
    expect(ctx.announced).toEqual(['Guildhall'])
    // the same button element (Preact kept the DOM), now marked current; only the list re-rendered
    expect(host.querySelectorAll('.building-list button')[0]).toBe(button)
    expect(button.getAttribute('aria-current')).toBe('true')
    expect(new Set(rendered)).toEqual(new Set(['BuildingsBody']))
  })

  it('says the list needs the 3D view when there is none', () => {
    const server = fakeServer({})
    const ctx = testContext(server.api)
    render(new BuildingsList(ctx, () => undefined).render(), host)
    expect(host.textContent).toContain('The list follows the 3D view, which is not available.')
  })

  it('shows a failed load as an alert', async () => {
    const server = fakeServer({ 'GET /api/v1/buildings': () => [503, { detail: 'The database is busy', code: 'DatabaseBusy' }] })
    const ctx = testContext(server.api)
    ctx.map = { viewBounds: () => VIEW } as unknown as MapView
    store.mapReady.value = true
    render(new BuildingsList(ctx, () => undefined).render(), host)
    await open()
    expect(host.querySelector('[role=alert]')?.textContent).toContain('The database is busy')
    expect(host.querySelector('.building-list')).toBeNull()
  })
})
