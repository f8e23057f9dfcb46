import { describe, expect, it } from 'vitest'
import { DEFAULT_STOREY_HEIGHT_M, EditorHistory, fromProposalGeometry, heightNote, toProposalGeometry, validate } from './editor'

const square = (x: number, y: number, s: number) => [
  { lon: x, lat: y },
  { lon: x + s, lat: y },
  { lon: x + s, lat: y + s },
  { lon: x, lat: y + s },
]

function drawSiteAndTwoBlocks() {
  const h = new EditorHistory()
  for (const p of square(0, 0, 10)) h.apply({ type: 'addVertex', at: p })
  h.apply({ type: 'addBlock' })
  for (const p of square(1, 1, 2)) h.apply({ type: 'addVertex', at: p })
  h.apply({ type: 'setStoreys', index: 0, storeys: 5 })
  h.apply({ type: 'addBlock', height_m: 30 })
  for (const p of square(5, 5, 3)) h.apply({ type: 'addVertex', at: p })
  return h
}

describe('editor history', () => {
  it('adds vertices to the current target and undoes them one at a time', () => {
    const h = new EditorHistory()
    h.apply({ type: 'addVertex', at: { lon: 1, lat: 2 } })
    h.apply({ type: 'addVertex', at: { lon: 3, lat: 4 } })
    expect(h.state.site).toHaveLength(2)
    h.undo()
    expect(h.state.site).toEqual([{ lon: 1, lat: 2 }])
    h.redo()
    expect(h.state.site).toHaveLength(2)
    expect(h.canRedo).toBe(false)
  })

  it('ignores a repeated click on the same point and non-finite input', () => {
    const h = new EditorHistory()
    h.apply({ type: 'addVertex', at: { lon: 1, lat: 2 } })
    h.apply({ type: 'addVertex', at: { lon: 1, lat: 2 } })
    h.apply({ type: 'addVertex', at: { lon: NaN, lat: 2 } })
    expect(h.state.site).toHaveLength(1)
    h.undo()
    expect(h.canUndo).toBe(false)
  })

  it('a new action after undo drops the redo branch', () => {
    const h = new EditorHistory()
    h.apply({ type: 'addVertex', at: { lon: 1, lat: 1 } })
    h.undo()
    h.apply({ type: 'addVertex', at: { lon: 2, lat: 2 } })
    expect(h.canRedo).toBe(false)
    expect(h.state.site).toEqual([{ lon: 2, lat: 2 }])
  })

  it('draws a site with two massing blocks; storeys set the height', () => {
    const h = drawSiteAndTwoBlocks()
    expect(h.state.blocks).toHaveLength(2)
    expect(h.state.blocks[0].height_m).toBe(5 * DEFAULT_STOREY_HEIGHT_M)
    expect(h.state.blocks[1].height_m).toBe(30)
    expect(validate(h.state)).toEqual([])
    // undo back through block 2 entirely, then block 1's storeys
    for (let i = 0; i < 5; i++) h.undo()
    expect(h.state.blocks).toHaveLength(1)
    h.undo()
    expect(h.state.blocks[0].storeys).toBeUndefined()
  })

  it('a height once given is kept when storeys are typed after it (21 m then 6 storeys stays 21 m)', () => {
    const h = new EditorHistory()
    h.apply({ type: 'addBlock' })
    for (const at of [{ lon: 0, lat: 0 }, { lon: 0.001, lat: 0 }, { lon: 0.001, lat: 0.001 }]) h.apply({ type: 'addVertex', at })
    h.apply({ type: 'setHeight', index: 0, height_m: 21 })
    h.apply({ type: 'setStoreys', index: 0, storeys: 6 })
    expect(h.state.blocks[0]).toMatchObject({ height_m: 21, storeys: 6 })
    expect(heightNote(h.state.blocks[0])).toEqual({ kind: 'perStorey', storeys: 6, height_m: 21, storeyHeight_m: 3.5 })
    // the other order gives the same block
    const k = new EditorHistory()
    k.apply({ type: 'addBlock' })
    for (const at of [{ lon: 0, lat: 0 }, { lon: 0.001, lat: 0 }, { lon: 0.001, lat: 0.001 }]) k.apply({ type: 'addVertex', at })
    k.apply({ type: 'setStoreys', index: 0, storeys: 6 })
    expect(heightNote(k.state.blocks[0])).toEqual({ kind: 'fromStoreys', storeys: 6, storeyHeight_m: 3, height_m: 18 })
    k.apply({ type: 'setHeight', index: 0, height_m: 21 })
    expect(k.state.blocks[0]).toMatchObject({ height_m: 21, storeys: 6 })
  })

  it('storeys alone derive the height at 3 m a storey; invalid numbers are refused', () => {
    const h = drawSiteAndTwoBlocks()
    h.apply({ type: 'setHeight', index: 0, height_m: 22 })
    expect(h.state.blocks[0]).toMatchObject({ height_m: 22 })
    const before = h.state
    h.apply({ type: 'setHeight', index: 0, height_m: -1 })
    h.apply({ type: 'setStoreys', index: 5, storeys: 3 })
    expect(h.state).toBe(before)
  })

  it('notifies subscribers on every change', () => {
    const h = new EditorHistory()
    const seen: number[] = []
    h.subscribe((s) => seen.push(s.site.length))
    h.apply({ type: 'addVertex', at: { lon: 0, lat: 0 } })
    h.undo()
    expect(seen).toEqual([1, 0])
  })
})

describe('validate and export', () => {
  it('reports too few vertices, self-intersection and blocks outside the site', () => {
    const h = new EditorHistory()
    expect(validate(h.state)).toEqual([{ code: 'siteTooFewVertices' }])
    for (const p of [{ lon: 0, lat: 0 }, { lon: 1, lat: 1 }, { lon: 1, lat: 0 }, { lon: 0, lat: 1 }]) h.apply({ type: 'addVertex', at: p })
    expect(validate(h.state)).toEqual([{ code: 'siteSelfIntersects' }])
    const ok = drawSiteAndTwoBlocks()
    ok.apply({ type: 'addBlock' })
    for (const p of square(20, 20, 1)) ok.apply({ type: 'addVertex', at: p })
    expect(validate(ok.state)).toEqual([{ code: 'blockOutsideSite', index: 2 }])
  })

  it('exports a closed MultiPolygon site and Polygon footprints', () => {
    const g = toProposalGeometry(drawSiteAndTwoBlocks().state)
    expect(g.site_boundary.type).toBe('MultiPolygon')
    const ring = g.site_boundary.coordinates[0][0]
    expect(ring).toHaveLength(5)
    expect(ring[0]).toEqual(ring[4])
    expect(g.massing.type).toBe('FeatureCollection')
    expect(g.massing.features).toHaveLength(2)
    expect(g.massing.features[0].properties).toMatchObject({ height_m: 15, base_height_m: 0, storeys: 5 })
    expect(g.massing.features[1].properties).not.toHaveProperty('storeys')
    expect(g.massing.features[1].geometry.coordinates[0]).toHaveLength(5)
  })

  it('reads a saved proposal back into the editor (round trip)', () => {
    const state = drawSiteAndTwoBlocks().state
    const g = toProposalGeometry(state)
    const back = fromProposalGeometry(g.site_boundary, g.massing)
    expect(back.site).toEqual(state.site)
    expect(back.blocks.map((b) => [b.footprint, b.height_m, b.base_height_m, b.storeys])).toEqual(
      state.blocks.map((b) => [b.footprint, b.height_m, b.base_height_m, b.storeys]),
    )
  })
})
