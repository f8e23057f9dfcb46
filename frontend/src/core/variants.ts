/**
 * Design variants in 3D (issue 14), engine-neutral: a variant's blocks (its massing, a GeoJSON
 * FeatureCollection of footprints with `height_m` / `base_height_m`) as a small binary glTF the
 * viewer places at the blocks' centre, and the split view's divider as a number from 0 to 1.
 *
 * Why a glTF and not the extruded polygons the proposal's own massing falls back to: CesiumJS
 * splits the screen (`scene.splitPosition`) only for imagery layers, 3D tilesets, models,
 * billboards and points; an entity's polygon has no `splitDirection`, so two variants drawn as
 * extrusions could not stand side by side in one scene. A model can, and a variant's handful of
 * blocks makes a glb of a few kilobytes, built here in the browser (no server round trip).
 */
import { outerRings, type LonLat, type Ring } from './geo'

/** A glb model placed at lon/lat/height (metres above the ellipsoid), turned and scaled. */
export interface PlacedModel {
  url: string
  lon: number
  lat: number
  height_m?: number
  heading_deg?: number
  scale?: number
}

/** What the 3D view needs of a variant: its blocks, or else its uploaded glb model. */
export interface VariantShape {
  id: number
  name: string
  massing: unknown
  model?: PlacedModel | null
}

/** How a variant is drawn: from its blocks (built here), its uploaded glb, or not at all. */
export function variantSource(v: Pick<VariantShape, 'massing' | 'model'>): 'blocks' | 'model' | undefined {
  if (massingBlocks(v.massing).length) return 'blocks'
  if (v.model?.url) return 'model'
  return undefined
}

/** The variants of the open proposal and the one(s) in the 3D view, for the panels that name them
 *  (the comment form's picker, the comment list, the action bar). */
export interface VariantView {
  proposalId: number
  items: readonly { id: number; name: string; description?: string }[]
  /** shown alone (`right` unset) or split at the divider; unset: the scheme's own massing */
  left?: number
  right?: number
}

const TITLE_DESCRIPTION_MAX = 60

/**
 * A variant's name for the action bar: "B: two wings — Lower, stepped" (the description's first
 * line, shortened to a few words), or the name alone.
 */
export function variantTitle(v: { name: string; description?: string }): string {
  const line = (v.description ?? '').split(/\r?\n/)[0].trim().replace(/[.;:,]+$/, '')
  if (!line) return v.name
  if (line.length <= TITLE_DESCRIPTION_MAX) return `${v.name} — ${line}`
  const cut = line.slice(0, TITLE_DESCRIPTION_MAX)
  const space = cut.lastIndexOf(' ')
  return `${v.name} — ${(space > 20 ? cut.slice(0, space) : cut).trimEnd()}…`
}

/** The variant a new comment is about before the person picks one: the one shown alone. */
export function shownVariant(view: VariantView | undefined, proposalId: number): number | undefined {
  if (!view || view.proposalId !== proposalId || view.right !== undefined) return undefined
  return view.items.some((v) => v.id === view.left) ? view.left : undefined
}

/**
 * The variants shown: `left` alone is "show this variant instead of the proposal's massing";
 * with `right` the view is split, `left` drawn left of the divider and `right` right of it.
 */
export interface VariantScene {
  proposalId: number
  left: VariantShape
  right?: VariantShape
  /** the divider's accessible name and its side labels (already in the UI language) */
  labels?: { divider: string; value: (fraction: number) => string }
}

/** A triangle mesh in a local east/north/up frame (metres) around `origin`. */
export interface BlockMesh {
  origin: LonLat
  /** x, y, z = east, north, up */
  positions: Float32Array
  normals: Float32Array
  indices: Uint32Array
  blocks: number
}

// WGS84, for metres per degree at the site's latitude (the blocks span a few hundred metres)
const A = 6378137
const E2 = 0.00669437999014

function metresPerDegree(latDeg: number): { east: number; north: number } {
  const phi = (latDeg * Math.PI) / 180
  const w = 1 - E2 * Math.sin(phi) ** 2
  const n = A / Math.sqrt(w) // prime vertical radius
  const m = (A * (1 - E2)) / w ** 1.5 // meridian radius
  return { east: (n * Math.cos(phi) * Math.PI) / 180, north: (m * Math.PI) / 180 }
}

type Feature = { geometry?: unknown; properties?: Record<string, unknown> | null }

interface Block {
  ring: Ring
  base: number
  top: number
}

/** The blocks of a massing FeatureCollection; a footprint without a usable height is skipped. */
export function massingBlocks(massing: unknown): Block[] {
  const features = ((massing as { features?: Feature[] } | null | undefined)?.features ?? []) as Feature[]
  const out: Block[] = []
  for (const f of features) {
    const g = f.geometry as { type?: string } | null | undefined
    if (!g || (g.type !== 'Polygon' && g.type !== 'MultiPolygon')) continue
    const base = Number(f.properties?.base_height_m) || 0
    const height = Number(f.properties?.height_m)
    if (!(height > base)) continue
    for (const ring of outerRings(g as Parameters<typeof outerRings>[0])) if (ring.length >= 3) out.push({ ring, base, top: height })
  }
  return out
}

function signedArea(pts: readonly [number, number][]): number {
  let s = 0
  for (let i = 0; i < pts.length; i++) {
    const [x1, y1] = pts[i]
    const [x2, y2] = pts[(i + 1) % pts.length]
    s += x1 * y2 - x2 * y1
  }
  return s / 2
}

function inTriangle(p: [number, number], a: [number, number], b: [number, number], c: [number, number]): boolean {
  const d1 = (p[0] - b[0]) * (a[1] - b[1]) - (a[0] - b[0]) * (p[1] - b[1])
  const d2 = (p[0] - c[0]) * (b[1] - c[1]) - (b[0] - c[0]) * (p[1] - c[1])
  const d3 = (p[0] - a[0]) * (c[1] - a[1]) - (c[0] - a[0]) * (p[1] - a[1])
  const neg = d1 < 0 || d2 < 0 || d3 < 0
  const pos = d1 > 0 || d2 > 0 || d3 > 0
  return !(neg && pos)
}

/**
 * Triangles of a simple counter-clockwise polygon by ear clipping (a footprint has a few to a
 * few dozen corners, so the quadratic cost does not matter). Returns index triples.
 */
export function triangulate(pts: readonly [number, number][]): [number, number, number][] {
  const idx = pts.map((_, i) => i)
  const out: [number, number, number][] = []
  let guard = 0
  while (idx.length > 3 && guard++ < 10_000) {
    let clipped = false
    for (let k = 0; k < idx.length; k++) {
      const i0 = idx[(k + idx.length - 1) % idx.length]
      const i1 = idx[k]
      const i2 = idx[(k + 1) % idx.length]
      const [a, b, c] = [pts[i0], pts[i1], pts[i2]]
      const cross = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
      if (cross <= 0) continue // a reflex (or flat) corner is no ear
      if (idx.some((j) => j !== i0 && j !== i1 && j !== i2 && inTriangle(pts[j], a, b, c))) continue
      out.push([i0, i1, i2])
      idx.splice(k, 1)
      clipped = true
      break
    }
    if (!clipped) break // not simple (self-touching): fan the rest rather than loop
  }
  for (let k = 1; k + 1 < idx.length; k++) out.push([idx[0], idx[k], idx[k + 1]])
  return out
}

/**
 * The blocks as one mesh: walls (flat-shaded, outward normals) and roofs, and an underside for a
 * block that does not stand on the ground. Courtyards (inner rings) are not cut out.
 */
export function blockMesh(massing: unknown): BlockMesh | undefined {
  const blocks = massingBlocks(massing)
  if (!blocks.length) return undefined
  const all = blocks.flatMap((b) => b.ring)
  const origin = {
    lon: (Math.min(...all.map((p) => p.lon)) + Math.max(...all.map((p) => p.lon))) / 2,
    lat: (Math.min(...all.map((p) => p.lat)) + Math.max(...all.map((p) => p.lat))) / 2,
  }
  const k = metresPerDegree(origin.lat)
  const pos: number[] = []
  const nor: number[] = []
  const ind: number[] = []
  const vertex = (x: number, y: number, z: number, nx: number, ny: number, nz: number) => {
    pos.push(x, y, z)
    nor.push(nx, ny, nz)
    return pos.length / 3 - 1
  }
  for (const b of blocks) {
    let pts = b.ring.map((p): [number, number] => [(p.lon - origin.lon) * k.east, (p.lat - origin.lat) * k.north])
    if (signedArea(pts) < 0) pts = pts.reverse()
    for (let i = 0; i < pts.length; i++) {
      const [x1, y1] = pts[i]
      const [x2, y2] = pts[(i + 1) % pts.length]
      const len = Math.hypot(x2 - x1, y2 - y1)
      if (len === 0) continue
      // counter-clockwise ring: the outside is to the right of each edge
      const nx = (y2 - y1) / len
      const ny = -(x2 - x1) / len
      const a = vertex(x1, y1, b.base, nx, ny, 0)
      const c = vertex(x2, y2, b.base, nx, ny, 0)
      const d = vertex(x2, y2, b.top, nx, ny, 0)
      const e = vertex(x1, y1, b.top, nx, ny, 0)
      ind.push(a, c, d, a, d, e)
    }
    const tris = triangulate(pts)
    const roof = pts.map(([x, y]) => vertex(x, y, b.top, 0, 0, 1))
    for (const [i, j, l] of tris) ind.push(roof[i], roof[j], roof[l])
    if (b.base > 0) {
      const under = pts.map(([x, y]) => vertex(x, y, b.base, 0, 0, -1))
      for (const [i, j, l] of tris) ind.push(under[i], under[l], under[j])
    }
  }
  return { origin, positions: new Float32Array(pos), normals: new Float32Array(nor), indices: new Uint32Array(ind), blocks: blocks.length }
}

/** sRGB hex (#rrggbb) to glTF's linear base colour. */
export function linearColour(hex: string): [number, number, number, number] {
  const m = /^#([0-9a-f]{6})$/i.exec(hex)
  if (!m) throw new Error(`'colour' must be #rrggbb, got ${JSON.stringify(hex)}`)
  const c = [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16) / 255)
  const lin = c.map((v) => (v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
  return [lin[0], lin[1], lin[2], 1]
}

const pad4 = (n: number) => (n + 3) & ~3

/**
 * The mesh as a binary glTF 2.0 (one mesh, one opaque material of `colour`). glTF is y-up: a local
 * (east, north, up) vertex is written as (east, up, -north), as tiles/writers/glb.py does, and the
 * runtime turns it back into z-up.
 */
export function meshToGlb(mesh: BlockMesh, colour: string): Uint8Array {
  const n = mesh.positions.length / 3
  const pos = new Float32Array(n * 3)
  const nor = new Float32Array(n * 3)
  const min = [Infinity, Infinity, Infinity]
  const max = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < n; i++) {
    const v = [mesh.positions[3 * i], mesh.positions[3 * i + 2], -mesh.positions[3 * i + 1]]
    const w = [mesh.normals[3 * i], mesh.normals[3 * i + 2], -mesh.normals[3 * i + 1]]
    for (let a = 0; a < 3; a++) {
      pos[3 * i + a] = v[a]
      nor[3 * i + a] = w[a] === 0 ? 0 : w[a] // no -0 in the file
      min[a] = Math.min(min[a], pos[3 * i + a])
      max[a] = Math.max(max[a], pos[3 * i + a])
    }
  }
  const indices = mesh.indices
  const bin = new Uint8Array(pad4(pos.byteLength) + pad4(nor.byteLength) + pad4(indices.byteLength))
  bin.set(new Uint8Array(pos.buffer), 0)
  bin.set(new Uint8Array(nor.buffer), pad4(pos.byteLength))
  bin.set(new Uint8Array(indices.buffer, indices.byteOffset, indices.byteLength), pad4(pos.byteLength) + pad4(nor.byteLength))
  const gltf = {
    asset: { version: '2.0', generator: 'CivicTwin variants' },
    scene: 0,
    scenes: [{ nodes: [0] }],
    nodes: [{ mesh: 0 }],
    meshes: [{ primitives: [{ attributes: { POSITION: 0, NORMAL: 1 }, indices: 2, material: 0, mode: 4 }] }],
    materials: [{ pbrMetallicRoughness: { baseColorFactor: linearColour(colour), metallicFactor: 0, roughnessFactor: 0.9 } }],
    buffers: [{ byteLength: bin.byteLength }],
    bufferViews: [
      { buffer: 0, byteOffset: 0, byteLength: pos.byteLength, target: 34962 },
      { buffer: 0, byteOffset: pad4(pos.byteLength), byteLength: nor.byteLength, target: 34962 },
      { buffer: 0, byteOffset: pad4(pos.byteLength) + pad4(nor.byteLength), byteLength: indices.byteLength, target: 34963 },
    ],
    accessors: [
      { bufferView: 0, componentType: 5126, count: n, type: 'VEC3', min, max },
      { bufferView: 1, componentType: 5126, count: n, type: 'VEC3' },
      { bufferView: 2, componentType: 5125, count: indices.length, type: 'SCALAR' },
    ],
  }
  let json = new TextEncoder().encode(JSON.stringify(gltf))
  if (json.length % 4) {
    const padded = new Uint8Array(pad4(json.length)).fill(0x20) // JSON chunk padded with spaces
    padded.set(json)
    json = padded
  }
  const total = 12 + 8 + json.length + 8 + bin.length
  const out = new Uint8Array(total)
  const dv = new DataView(out.buffer)
  dv.setUint32(0, 0x46546c67, true) // 'glTF'
  dv.setUint32(4, 2, true)
  dv.setUint32(8, total, true)
  dv.setUint32(12, json.length, true)
  dv.setUint32(16, 0x4e4f534a, true) // 'JSON'
  out.set(json, 20)
  const b = 20 + json.length
  dv.setUint32(b, bin.length, true)
  dv.setUint32(b + 4, 0x004e4942, true) // 'BIN\0'
  out.set(bin, b + 8)
  return out
}

/** Where the divider goes for a key (arrows 2 %, Page keys 10 %, Home/End the ends); undefined: not ours. */
export function dividerKey(fraction: number, key: string): number | undefined {
  const step = { ArrowLeft: -0.02, ArrowDown: -0.02, ArrowRight: 0.02, ArrowUp: 0.02, PageDown: -0.1, PageUp: 0.1 }[key]
  if (step !== undefined) return clampDivider(fraction + step)
  if (key === 'Home') return DIVIDER_MIN
  if (key === 'End') return DIVIDER_MAX
  return undefined
}

/** The divider stays where both sides keep some of the view. */
export const DIVIDER_MIN = 0.05
export const DIVIDER_MAX = 0.95
export function clampDivider(fraction: number): number {
  if (!Number.isFinite(fraction)) return 0.5
  return Math.round(Math.min(DIVIDER_MAX, Math.max(DIVIDER_MIN, fraction)) * 1000) / 1000
}
