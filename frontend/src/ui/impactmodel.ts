/**
 * The outline of a proposal's placed glb model, for "Look along this view" (issue 13): the box
 * around the model's geometry in its own axes, turned and scaled as it is placed, as a footprint
 * ring at its base and its top (the same shape as a massing block's outline).
 *
 * The box comes from the glTF itself, without drawing it: every mesh primitive's POSITION
 * accessor carries its `min` and `max` (the glTF 2.0 specification requires them), and each
 * node's transform (matrix, or translation, rotation and scale) takes their corners into the
 * model's space. The model's axes are then those Cesium gives a glTF 2.0 model (+Y up, +Z
 * forward): Cesium's axis correction (`Axis.Y_UP_TO_Z_UP` after `Axis.Z_UP_TO_X_UP`) takes a
 * glTF point (x, y, z) to (z, x, y) in the placement's east-north-up frame before the heading
 * turns it, so a model with heading 0 faces east and its glTF +x points north.
 */

import type { SchemeOutline } from '../core/mapview'
import type { LonLat } from '../core/geo'

/** A glb larger than this is not read for its outline (the upload limit is lower). */
export const MAX_GLB_BYTES = 256 * 2 ** 20
/** Nodes visited at most (a model with more is outlined by the first ones only). */
const MAX_NODES = 20_000
const MAX_DEPTH = 64

export interface Box {
  min: [number, number, number]
  max: [number, number, number]
}

export interface ModelPlacement {
  lon: number
  lat: number
  height_m?: number | null
  heading_deg?: number | null
  scale?: number | null
}

type Mat4 = number[] // column-major, as glTF writes it

interface GltfNode {
  children?: number[]
  mesh?: number
  matrix?: number[]
  translation?: number[]
  rotation?: number[]
  scale?: number[]
}

interface Gltf {
  scene?: number
  scenes?: { nodes?: number[] }[]
  nodes?: GltfNode[]
  meshes?: { primitives?: { attributes?: { POSITION?: number } }[] }[]
  accessors?: { min?: number[]; max?: number[] }[]
}

/** The glTF JSON of a binary glTF (glb, version 2), or undefined when `bytes` is not one. */
export function glbJson(bytes: ArrayBuffer): Gltf | undefined {
  if (bytes.byteLength < 20 || bytes.byteLength > MAX_GLB_BYTES) return undefined
  const view = new DataView(bytes)
  if (view.getUint32(0, true) !== 0x46546c67 || view.getUint32(4, true) !== 2) return undefined
  const length = view.getUint32(12, true)
  if (view.getUint32(16, true) !== 0x4e4f534a || 20 + length > bytes.byteLength) return undefined
  try {
    const doc: unknown = JSON.parse(new TextDecoder().decode(new Uint8Array(bytes, 20, length)))
    return doc && typeof doc === 'object' ? (doc as Gltf) : undefined
  } catch {
    return undefined
  }
}

function multiply(a: Mat4, b: Mat4): Mat4 {
  const out = new Array<number>(16).fill(0)
  for (let c = 0; c < 4; c++) for (let r = 0; r < 4; r++) for (let k = 0; k < 4; k++) out[c * 4 + r] += a[k * 4 + r] * b[c * 4 + k]
  return out
}

function finite(v: unknown, n: number): v is number[] {
  return Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'number' && Number.isFinite(x))
}

/** A node's own transform (glTF: the matrix, else T * R * S). */
function local(node: GltfNode): Mat4 {
  if (finite(node.matrix, 16)) return node.matrix
  const [tx, ty, tz] = finite(node.translation, 3) ? node.translation : [0, 0, 0]
  const [qx, qy, qz, qw] = finite(node.rotation, 4) ? node.rotation : [0, 0, 0, 1]
  const [sx, sy, sz] = finite(node.scale, 3) ? node.scale : [1, 1, 1]
  // the rotation matrix of a unit quaternion, columns scaled
  return [
    (1 - 2 * (qy * qy + qz * qz)) * sx,
    2 * (qx * qy + qz * qw) * sx,
    2 * (qx * qz - qy * qw) * sx,
    0,
    2 * (qx * qy - qz * qw) * sy,
    (1 - 2 * (qx * qx + qz * qz)) * sy,
    2 * (qy * qz + qx * qw) * sy,
    0,
    2 * (qx * qz + qy * qw) * sz,
    2 * (qy * qz - qx * qw) * sz,
    (1 - 2 * (qx * qx + qy * qy)) * sz,
    0,
    tx,
    ty,
    tz,
    1,
  ]
}

const IDENTITY: Mat4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]

/** The box around the glTF's default scene (its first when none is named), in glTF space. */
export function gltfBox(doc: Gltf): Box | undefined {
  const nodes = doc.nodes ?? []
  const scene = doc.scenes?.[doc.scene ?? 0]
  const roots = scene?.nodes ?? nodes.map((_, i) => i)
  const min: [number, number, number] = [Infinity, Infinity, Infinity]
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity]
  let visited = 0
  const visit = (index: number, parent: Mat4, depth: number) => {
    const node = nodes[index]
    if (!node || depth > MAX_DEPTH || ++visited > MAX_NODES) return
    const world = multiply(parent, local(node))
    for (const prim of (node.mesh !== undefined ? doc.meshes?.[node.mesh]?.primitives : undefined) ?? []) {
      const acc = prim.attributes?.POSITION !== undefined ? doc.accessors?.[prim.attributes.POSITION] : undefined
      if (!acc || !finite(acc.min, 3) || !finite(acc.max, 3)) continue
      for (let corner = 0; corner < 8; corner++) {
        const p = [0, 1, 2].map((axis) => ((corner >> axis) & 1 ? acc.max![axis] : acc.min![axis]))
        for (let axis = 0; axis < 3; axis++) {
          const v = world[axis] * p[0] + world[4 + axis] * p[1] + world[8 + axis] * p[2] + world[12 + axis]
          min[axis] = Math.min(min[axis], v)
          max[axis] = Math.max(max[axis], v)
        }
      }
    }
    for (const child of node.children ?? []) visit(child, world, depth + 1)
  }
  for (const root of roots) visit(root, IDENTITY, 0)
  return min.every(Number.isFinite) ? { min, max } : undefined
}

const WGS84_A = 6_378_137.0
const WGS84_E2 = 6.69437999014e-3

/** East/north offsets in metres from `origin` as lon/lat (the ellipsoid's radii of curvature
 * there; a model is small enough for the tangent plane). */
function offset(origin: LonLat, east: number, north: number): LonLat {
  const phi = (origin.lat * Math.PI) / 180
  const w = 1 - WGS84_E2 * Math.sin(phi) ** 2
  const meridian = (WGS84_A * (1 - WGS84_E2)) / w ** 1.5
  const normal = WGS84_A / Math.sqrt(w)
  return {
    lon: origin.lon + (east / (normal * Math.cos(phi))) * (180 / Math.PI),
    lat: origin.lat + (north / meridian) * (180 / Math.PI),
  }
}

/** The placed model's outline: its box's footprint (a closed ring of 4 corners) at its base and
 * its top, heights above the ellipsoid. */
export function modelOutline(box: Box, at: ModelPlacement): SchemeOutline {
  const scale = at.scale ?? 1
  const h = ((at.heading_deg ?? 0) * Math.PI) / 180
  // Cesium's axes: glTF (x, y, z) -> (east, north, up) = (z, x, y) before the heading
  const corners: [number, number][] = [
    [box.min[2], box.min[0]],
    [box.max[2], box.min[0]],
    [box.max[2], box.max[0]],
    [box.min[2], box.max[0]],
  ]
  const ring = corners.map(([e, n]) => {
    const east = scale * (e * Math.cos(h) + n * Math.sin(h))
    const north = scale * (-e * Math.sin(h) + n * Math.cos(h))
    return offset(at, east, north)
  })
  ring.push(ring[0])
  const base = (at.height_m ?? 0) + scale * box.min[1]
  return { rings: [ring], base, top: (at.height_m ?? 0) + scale * box.max[1] }
}

const boxes = new Map<string, Promise<Box | undefined>>()

/** The box of the glb at `url` (fetched once per page; undefined when it cannot be read). */
export function modelBox(url: string): Promise<Box | undefined> {
  let found = boxes.get(url)
  if (!found) {
    found = fetch(url, { credentials: 'same-origin' })
      .then((r) => (r.ok ? r.arrayBuffer() : undefined))
      .then((bytes) => {
        const doc = bytes && glbJson(bytes)
        return doc ? gltfBox(doc) : undefined
      })
      .catch(() => undefined)
    boxes.set(url, found)
    // a failure is not remembered: the next look may find the model
    void found.then((b) => (b ? undefined : boxes.delete(url)))
  }
  return found
}
