import { describe, expect, it } from 'vitest'
import { blockMesh, clampDivider, dividerKey, meshToGlb, shownVariant, triangulate, variantSource, variantTitle } from './variants'

const square = (lon: number, lat: number, d: number) => [[[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]]
const massing = (props: Record<string, number>, coords = square(-0.1, 51.5, 0.0002)) => ({
  type: 'FeatureCollection',
  features: [{ type: 'Feature', geometry: { type: 'Polygon', coordinates: coords }, properties: props }],
})

describe('variant blocks as a mesh', () => {
  it('extrudes a footprint to its height, metres east/north of the centre', () => {
    const m = blockMesh(massing({ height_m: 21 }))!
    expect(m.blocks).toBe(1)
    const xs = [...m.positions].filter((_, i) => i % 3 === 0)
    const zs = [...m.positions].filter((_, i) => i % 3 === 2)
    // 0.0002 deg of longitude at 51.5 N is 13.9 m, of latitude 22.3 m
    expect(Math.max(...xs) - Math.min(...xs)).toBeCloseTo(13.88, 1)
    expect(Math.max(...zs)).toBe(21)
    expect(Math.min(...zs)).toBe(0)
    // 4 walls of 2 triangles and a roof of 2, no underside on the ground
    expect(m.indices.length / 3).toBe(10)
  })

  it('walls face outwards whichever way the ring turns', () => {
    const cw = [square(-0.1, 51.5, 0.0002)[0].slice().reverse()]
    for (const coords of [square(-0.1, 51.5, 0.0002), cw]) {
      const m = blockMesh(massing({ height_m: 10 }, coords))!
      for (let v = 0; v < m.positions.length / 3; v++) {
        const nz = m.normals[3 * v + 2]
        if (nz !== 0) continue
        // the block is centred on the origin: an outward wall normal points away from it
        expect(m.positions[3 * v] * m.normals[3 * v] + m.positions[3 * v + 1] * m.normals[3 * v + 1]).toBeGreaterThan(0)
      }
    }
  })

  it('a raised block gets an underside; a block without height is skipped', () => {
    expect(blockMesh(massing({ height_m: 20, base_height_m: 5 }))!.indices.length / 3).toBe(12)
    expect(blockMesh(massing({ height_m: 0 }))).toBeUndefined()
    expect(blockMesh(null)).toBeUndefined()
  })

  it('triangulates a concave (L-shaped) footprint into its own area', () => {
    const L: [number, number][] = [[0, 0], [10, 0], [10, 4], [4, 4], [4, 10], [0, 10]]
    const area = triangulate(L).reduce((s, [a, b, c]) => {
      const [p, q, r] = [L[a], L[b], L[c]]
      return s + Math.abs((q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])) / 2
    }, 0)
    expect(area).toBeCloseTo(64, 9)
  })

  it('writes a binary glTF 2.0 with its JSON and BIN chunks', () => {
    const glb = meshToGlb(blockMesh(massing({ height_m: 12 }))!, '#ffb74d')
    const dv = new DataView(glb.buffer)
    expect(dv.getUint32(0, true)).toBe(0x46546c67)
    expect(dv.getUint32(8, true)).toBe(glb.length)
    const jsonLength = dv.getUint32(12, true)
    const json = JSON.parse(new TextDecoder().decode(glb.slice(20, 20 + jsonLength)))
    expect(json.asset.version).toBe('2.0')
    // y-up: the height is the y extent
    expect(json.accessors[0].max[1]).toBe(12)
    expect(json.buffers[0].byteLength).toBe(dv.getUint32(20 + jsonLength, true))
    expect(() => meshToGlb(blockMesh(massing({ height_m: 12 }))!, 'orange')).toThrow(/#rrggbb/)
  })
})

describe('the split divider', () => {
  it('moves with arrow and page keys and stays inside the view', () => {
    expect(dividerKey(0.5, 'ArrowRight')).toBe(0.52)
    expect(dividerKey(0.5, 'PageDown')).toBe(0.4)
    expect(dividerKey(0.5, 'Home')).toBe(0.05)
    expect(dividerKey(0.94, 'PageUp')).toBe(0.95)
    expect(dividerKey(0.5, 'a')).toBeUndefined()
    expect(clampDivider(Number.NaN)).toBe(0.5)
  })
})

describe('what a variant is drawn from and how it is named', () => {
  const blocks = massing({ height_m: 12 })
  const model = { url: '/api/v1/documents/4', lon: -0.1, lat: 51.5 }

  it('its blocks first, else its uploaded glb, else nothing', () => {
    expect(variantSource({ massing: blocks, model })).toBe('blocks')
    expect(variantSource({ massing: null, model })).toBe('model')
    expect(variantSource({ massing: massing({ height_m: 0 }), model })).toBe('model') // no usable block
    expect(variantSource({ massing: null, model: null })).toBeUndefined()
  })

  it('the bar title: the name and the description first line, shortened at a word', () => {
    expect(variantTitle({ name: 'B', description: 'Taller corner.' })).toBe('B — Taller corner')
    expect(variantTitle({ name: 'B', description: '' })).toBe('B')
    expect(variantTitle({ name: 'B', description: 'First line\nsecond line' })).toBe('B — First line')
    const long = variantTitle({ name: 'B', description: 'A much lower scheme that steps down towards the canal and keeps every tree on the towpath' })
    expect(long).toBe('B — A much lower scheme that steps down towards the canal and…')
  })

  it('the variant a new comment is about by default: the one shown alone, of this proposal', () => {
    const items = [{ id: 1, name: 'A' }, { id: 2, name: 'B' }]
    expect(shownVariant({ proposalId: 7, items, left: 2 }, 7)).toBe(2)
    expect(shownVariant({ proposalId: 7, items, left: 1, right: 2 }, 7)).toBeUndefined()
    expect(shownVariant({ proposalId: 7, items, left: 2 }, 8)).toBeUndefined()
    expect(shownVariant({ proposalId: 7, items, left: 9 }, 7)).toBeUndefined()
    expect(shownVariant(undefined, 7)).toBeUndefined()
  })
})
