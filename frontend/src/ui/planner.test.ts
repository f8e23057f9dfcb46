// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { emptyEditorState } from '../core/editor'
import { editorStateFromGeoJson, parseCoordinateLines, PlannerPanel } from './planner'
import { componentsRendered, fakeServer, settle, testContext, user } from './testing'

const square = (x: number, y: number, s: number) => [[[x, y], [x + s, y], [x + s, y + s], [x, y + s], [x, y]]]

describe('planner input', () => {
  it('parses typed coordinates, skipping bad lines', () => {
    expect(parseCoordinateLines('-0.1, 51.5\nfoo\n-0.2 51.6\n')).toEqual([
      { lon: -0.1, lat: 51.5 },
      { lon: -0.2, lat: 51.6 },
    ])
  })

  it('reads an uploaded GeoJSON: the site by role, blocks with heights or storeys', () => {
    const doc = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(1, 1, 1) }, properties: { storeys: 4 } },
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(0, 0, 10) }, properties: { role: 'site' } },
        { type: 'Feature', geometry: { type: 'Polygon', coordinates: square(3, 3, 1) }, properties: { height_m: 20, base_height_m: 5 } },
      ],
    }
    const s = editorStateFromGeoJson(doc, emptyEditorState())
    expect(s.site).toHaveLength(4)
    expect(s.blocks.map((b) => [b.height_m, b.base_height_m, b.storeys])).toEqual([
      [12, 0, 4],
      [20, 5, undefined],
    ])
  })
})

function type(el: HTMLInputElement | HTMLTextAreaElement, value: string, event = 'input') {
  el.value = value
  el.dispatchEvent(new Event(event, { bubbles: true }))
}

describe('planner panel', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  function setup() {
    const proposal = (extra: Record<string, unknown> = {}) => ({
      id: 41, title: 'Mill Lane', reference: 'PL/41', description: '', site_address: null, dwellings: null, stage: 'draft',
      consultation_start: null, consultation_end: null, site_boundary: null, massing: { type: 'FeatureCollection', features: [] }, documents: [], model: null, ...extra,
    })
    const server = fakeServer({
      'POST /api/v1/proposals': () => [201, proposal()],
      'PUT /api/v1/proposals/41/massing': () => proposal(),
      'GET /api/v1/opportunities': () => ({ items: [{ id: 5, title: 'Groundworks' }], total: 1, limit: 100, offset: 0 }),
    })
    const ctx = testContext(server.api, user(['planner']))
    const panel = new PlannerPanel(ctx)
    render(panel.render(), host)
    return { panel, ctx, server }
  }
  const $ = <T extends Element = HTMLInputElement>(sel: string) => host.querySelector<T>(sel)!

  it('typing renders no component but the save buttons that depend on the title; a site typed as coordinates unblocks them', async () => {
    setup()
    const title = $('#planner-title')
    expect(await componentsRendered(() => type($('#planner-description') as unknown as HTMLTextAreaElement, 'Homes by the canal'))).toEqual([])
    expect($<HTMLButtonElement>('#planner-save').disabled).toBe(true)
    expect(host.querySelector('ul.problems')!.textContent).toContain('site')
    type($<HTMLTextAreaElement>('#planner-coordinates'), '-1.9, 52.48\n-1.89, 52.48\n-1.89, 52.49\n')
    $('#planner-apply-coordinates').click()
    await settle()
    expect($('.vertex-count').textContent).toContain('3')
    expect(host.querySelector('ul.problems')).toBeNull()
    // with a valid site, the title decides: only the save buttons render again
    expect(await componentsRendered(() => type(title, 'Mill Lane'))).toEqual(['SaveActions'])
    expect($<HTMLButtonElement>('#planner-save').disabled).toBe(true)
    type($('#planner-reference'), 'PL/41')
    await settle()
    expect($<HTMLButtonElement>('#planner-save').disabled).toBe(false)
    expect($('#planner-title')).toBe(title)
    expect(title.value).toBe('Mill Lane')
  })

  it('a height then storeys keeps the height and says so per storey; undo goes back a step', async () => {
    setup()
    $('#planner-add-block').click()
    await settle()
    type($('#block-0-height'), '21', 'change')
    await settle()
    type($('#block-0-storeys'), '6', 'change')
    await settle()
    expect($('#block-0-height').value).toBe('21')
    expect($('#block-0-height-note').textContent).toContain('3.5')
    $('#planner-undo').click()
    await settle()
    expect($('#block-0-storeys').value).toBe('')
    expect(host.querySelector('#block-0-height-note')).toBeNull()
  })

  it('saves a draft and stays in the editor, which then lists the interest-list exports', async () => {
    const { ctx, server } = setup()
    type($('#planner-title'), 'Mill Lane')
    type($('#planner-reference'), 'PL/41')
    type($<HTMLTextAreaElement>('#planner-coordinates'), '-1.9, 52.48\n-1.89, 52.48\n-1.89, 52.49')
    $('#planner-apply-coordinates').click()
    await settle()
    $('#planner-save').click()
    await settle()
    const posts = server.requests.filter((r) => r.method !== 'GET')
    expect(posts.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/v1/proposals', 'PUT /api/v1/proposals/41/massing'])
    expect(posts[0].body).toMatchObject({ title: 'Mill Lane', reference: 'PL/41', site_boundary: { type: 'MultiPolygon' } })
    expect(ctx.announced).toContain(ctx.i18n.t('planner.saved'))
    expect(ctx.opened).toEqual([])
    expect($('#planner-h').textContent).toBe(ctx.i18n.t('planner.editing', { title: 'Mill Lane' }))
    expect($('.exports').textContent).toContain(ctx.i18n.t('planner.exportInterest', { title: 'Groundworks' }))
    expect($('#planner-publish')).not.toBeNull()
  })
})
