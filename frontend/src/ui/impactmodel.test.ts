import { describe, expect, it } from 'vitest'
import { distanceM, type LonLat } from '../core/geo'
import { glbJson, gltfBox, modelOutline } from './impactmodel'

/** A binary glTF of one box primitive (x, y, z from `min` to `max`) under one node. */
function boxGlb(min: number[], max: number[], node: Record<string, unknown> = {}): ArrayBuffer {
  const doc = {
    asset: { version: '2.0' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0, ...node }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0 } }] }],
    accessors: [{ bufferView: 0, componentType: 5126, count: 8, type: 'VEC3', min, max }],
    buffers: [{ byteLength: 96 }],
    bufferViews: [{ buffer: 0, byteLength: 96 }],
  }
  let json = new TextEncoder().encode(JSON.stringify(doc))
  const padded = new Uint8Array(Math.ceil(json.length / 4) * 4).fill(0x20)
  padded.set(json)
  json = padded
  const bin = new Uint8Array(96)
  const total = 12 + 8 + json.length + 8 + bin.length
  const out = new ArrayBuffer(total)
  const view = new DataView(out)
  view.setUint32(0, 0x46546c67, true)
  view.setUint32(4, 2, true)
  view.setUint32(8, total, true)
  view.setUint32(12, json.length, true)
  view.setUint32(16, 0x4e4f534a, true)
  new Uint8Array(out, 20, json.length).set(json)
  view.setUint32(20 + json.length, bin.length, true)
  view.setUint32(24 + json.length, 0x004e4942, true)
  return out
}

const AT = { lon: -0.1, lat: 51.5, height_m: 10, heading_deg: 0, scale: 1 }

/** East and north of `b` from `a`, in metres (signed, along the meridian and the parallel). */
function enu(a: LonLat, b: LonLat): [number, number] {
  const east = distanceM(a, { lon: b.lon, lat: a.lat }) * Math.sign(b.lon - a.lon)
  const north = distanceM(a, { lon: a.lon, lat: b.lat }) * Math.sign(b.lat - a.lat)
  return [east, north]
}

describe('the outline of a placed glb model', () => {
  it('reads the box of its geometry from the accessors and the node transform', () => {
    const doc = glbJson(boxGlb([-5, 0, -10], [5, 30, 10], { translation: [1, 2, 3] }))
    expect(doc).toBeDefined()
    expect(gltfBox(doc!)).toEqual({ min: [-4, 2, -7], max: [6, 32, 13] })
    // a quarter turn about +Y (glTF up) takes +x to -z and +z to +x
    const s = Math.SQRT1_2
    const turned = gltfBox(glbJson(boxGlb([-5, 0, -10], [5, 30, 10], { rotation: [0, s, 0, s] }))!)!
    turned.min.forEach((v, i) => expect(v).toBeCloseTo([-10, 0, -5][i], 9))
    turned.max.forEach((v, i) => expect(v).toBeCloseTo([10, 30, 5][i], 9))
    // a matrix instead: scale 2 and a lift of 4 m
    const m = [2, 0, 0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 4, 0, 1]
    expect(gltfBox(glbJson(boxGlb([-1, 0, -1], [1, 1, 1], { matrix: m }))!)).toEqual({ min: [-2, 4, -2], max: [2, 6, 2] })
  })

  it('places the footprint as Cesium draws the model: glTF +z east, +x north, +y up, turned clockwise', () => {
    // 10 m along glTF x, 20 m along glTF z, 30 m tall
    const box = { min: [-5, 0, -10] as [number, number, number], max: [5, 30, 10] as [number, number, number] }
    const plain = modelOutline(box, AT)
    expect(plain.base).toBe(10)
    expect(plain.top).toBe(40)
    const [ring] = plain.rings
    expect(ring).toHaveLength(5)
    expect(ring[4]).toEqual(ring[0])
    const centre = { lon: AT.lon, lat: AT.lat }
    const corners = ring.slice(0, 4).map((p) => enu(centre, p))
    // heading 0: 20 m east-west, 10 m north-south, centred on the placement (checked on a
    // sphere here, the outline is on the ellipsoid: they differ by 0.3 %)
    corners.forEach(([e, n]) => {
      expect(Math.abs(Math.abs(e) - 10)).toBeLessThan(0.05)
      expect(Math.abs(Math.abs(n) - 5)).toBeLessThan(0.05)
    })
    expect(new Set(corners.map(([e, n]) => `${Math.sign(e)} ${Math.sign(n)}`)).size).toBe(4)

    // heading 90 (clockwise from north), scale 2: the long side now runs north-south, 40 m
    const turned = modelOutline(box, { ...AT, heading_deg: 90, scale: 2 })
    expect(turned.base).toBe(10)
    expect(turned.top).toBe(70)
    const tc = turned.rings[0].slice(0, 4).map((p) => enu(centre, p))
    tc.forEach(([e, n]) => {
      expect(Math.abs(Math.abs(e) - 10)).toBeLessThan(0.05)
      expect(Math.abs(Math.abs(n) - 20)).toBeLessThan(0.1)
    })
    // the corner east of the model's origin (glTF max z, min x) has turned to the south
    const [e0, n0] = enu(centre, plain.rings[0][1])
    const [e1, n1] = enu(centre, turned.rings[0][1])
    expect([Math.round(e0), Math.round(n0)]).toEqual([10, -5])
    expect([Math.round(e1), Math.round(n1)]).toEqual([-10, -20])
  })

  it('refuses what is not a binary glTF, and a glTF without positions', () => {
    expect(glbJson(new TextEncoder().encode('{"asset":{"version":"2.0"}}').buffer as ArrayBuffer)).toBeUndefined()
    expect(glbJson(new ArrayBuffer(8))).toBeUndefined()
    const broken = boxGlb([-1, 0, -1], [1, 1, 1])
    new DataView(broken).setUint32(4, 1, true) // glTF 1
    expect(glbJson(broken)).toBeUndefined()
    expect(gltfBox({ nodes: [{ mesh: 0 }], meshes: [{ primitives: [{ attributes: {} }] }] })).toBeUndefined()
  })
})
