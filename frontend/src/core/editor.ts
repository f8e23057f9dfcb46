/**
 * Proposal-editor drawing state: the site boundary and massing blocks drawn by clicking
 * vertices on the map (or typed in the non-3D form). Every change goes through `apply`, which
 * keeps immutable snapshots so undo/redo are exact. Engine-neutral: the viewer only renders
 * `state` and feeds clicked positions back as `addVertex`.
 */
import { closedCoordinates, isSelfIntersecting, outerRings, pointInRing, type LonLat, type Ring } from './geo'

export const DEFAULT_STOREY_HEIGHT_M = 3.0

export interface MassingBlockDraft {
  footprint: Ring
  height_m: number
  base_height_m: number
  storeys?: number
  /**
   * the height was given (typed, or loaded from a saved scheme): storeys then only count floors
   * and the storey height is derived (21 m over 6 storeys: 3.5 m). Otherwise storeys derive the
   * height at 3 m a storey. Either way the UI shows which (see `heightNote`).
   */
  heightGiven?: boolean
}

/** How a block's height and storeys relate, for the editor to show next to the fields. */
export type HeightNote =
  | { kind: 'fromStoreys'; storeys: number; storeyHeight_m: number; height_m: number }
  | { kind: 'perStorey'; storeys: number; height_m: number; storeyHeight_m: number }
  | { kind: 'none' }

export function heightNote(b: MassingBlockDraft): HeightNote {
  if (!b.storeys) return { kind: 'none' }
  if (b.heightGiven) return { kind: 'perStorey', storeys: b.storeys, height_m: b.height_m, storeyHeight_m: Math.round((b.height_m / b.storeys) * 100) / 100 }
  return { kind: 'fromStoreys', storeys: b.storeys, storeyHeight_m: DEFAULT_STOREY_HEIGHT_M, height_m: b.height_m }
}

export type DrawTarget = { kind: 'site' } | { kind: 'block'; index: number }

export interface EditorState {
  site: Ring
  blocks: MassingBlockDraft[]
  target: DrawTarget
}

export type EditorAction =
  | { type: 'addVertex'; at: LonLat }
  | { type: 'removeLastVertex' }
  | { type: 'drawSite' }
  | { type: 'addBlock'; height_m?: number }
  | { type: 'selectBlock'; index: number }
  | { type: 'deleteBlock'; index: number }
  | { type: 'setHeight'; index: number; height_m: number }
  | { type: 'setStoreys'; index: number; storeys: number }
  | { type: 'setBase'; index: number; base_height_m: number }
  | { type: 'load'; state: EditorState }
  | { type: 'clear' }

export const emptyEditorState = (): EditorState => ({ site: [], blocks: [], target: { kind: 'site' } })

/** Apply `update` to the ring being drawn; the same state back when the ring did not change. */
function withRing(state: EditorState, update: (ring: Ring) => Ring): EditorState {
  const current = state.target.kind === 'site' ? state.site : state.blocks[state.target.index]?.footprint
  if (!current) return state
  const next = update(current)
  if (next === current) return state
  if (state.target.kind === 'site') return { ...state, site: next }
  const i = state.target.index
  return { ...state, blocks: state.blocks.map((b, j) => (j === i ? { ...b, footprint: next } : b)) }
}

function positive(n: number): boolean {
  return Number.isFinite(n) && n > 0
}

/** Pure reducer: returns the next state, or the same object when the action changes nothing. */
export function reduce(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'addVertex': {
      const { lon, lat } = action.at
      if (!Number.isFinite(lon) || !Number.isFinite(lat)) return state
      return withRing(state, (ring) => {
        const last = ring[ring.length - 1]
        if (last && last.lon === lon && last.lat === lat) return ring // double click
        return [...ring, { lon, lat }]
      })
    }
    case 'removeLastVertex':
      return withRing(state, (ring) => (ring.length ? ring.slice(0, -1) : ring))
    case 'drawSite':
      return state.target.kind === 'site' ? state : { ...state, target: { kind: 'site' } }
    case 'addBlock': {
      const height = action.height_m !== undefined && positive(action.height_m) ? action.height_m : 12
      const blocks = [...state.blocks, { footprint: [], height_m: height, base_height_m: 0 }]
      return { ...state, blocks, target: { kind: 'block', index: blocks.length - 1 } }
    }
    case 'selectBlock':
      if (action.index < 0 || action.index >= state.blocks.length) return state
      return { ...state, target: { kind: 'block', index: action.index } }
    case 'deleteBlock': {
      if (action.index < 0 || action.index >= state.blocks.length) return state
      const blocks = state.blocks.filter((_, j) => j !== action.index)
      return { ...state, blocks, target: { kind: 'site' } }
    }
    case 'setHeight':
      if (!positive(action.height_m) || !state.blocks[action.index]) return state
      return updateBlock(state, action.index, { height_m: action.height_m, heightGiven: true })
    case 'setStoreys': {
      const n = Math.round(action.storeys)
      if (!positive(n) || !state.blocks[action.index]) return state
      const block = state.blocks[action.index]
      // a height already given stays: storeys never silently overwrite it
      return updateBlock(state, action.index, block.heightGiven ? { storeys: n } : { storeys: n, height_m: n * DEFAULT_STOREY_HEIGHT_M })
    }
    case 'setBase':
      if (!Number.isFinite(action.base_height_m) || action.base_height_m < 0 || !state.blocks[action.index]) return state
      return updateBlock(state, action.index, { base_height_m: action.base_height_m })
    case 'load':
      return action.state
    case 'clear':
      return emptyEditorState()
  }
}

function updateBlock(state: EditorState, index: number, patch: Partial<MassingBlockDraft>): EditorState {
  return { ...state, blocks: state.blocks.map((b, j) => (j === index ? { ...b, ...patch } : b)) }
}

/** Undo/redo over editor snapshots. */
export class EditorHistory {
  private past: EditorState[] = []
  private future: EditorState[] = []
  private listeners = new Set<(s: EditorState) => void>()

  constructor(private current: EditorState = emptyEditorState(), private readonly limit = 200) {}

  get state(): EditorState {
    return this.current
  }
  get canUndo(): boolean {
    return this.past.length > 0
  }
  get canRedo(): boolean {
    return this.future.length > 0
  }

  apply(action: EditorAction): EditorState {
    const next = reduce(this.current, action)
    if (next !== this.current) {
      this.past.push(this.current)
      if (this.past.length > this.limit) this.past.shift()
      this.future = []
      this.set(next)
    }
    return this.current
  }

  undo(): EditorState {
    const prev = this.past.pop()
    if (prev) {
      this.future.push(this.current)
      this.set(prev)
    }
    return this.current
  }

  redo(): EditorState {
    const next = this.future.pop()
    if (next) {
      this.past.push(this.current)
      this.set(next)
    }
    return this.current
  }

  subscribe(fn: (s: EditorState) => void): () => void {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  private set(s: EditorState) {
    this.current = s
    for (const fn of this.listeners) fn(s)
  }
}

export type EditorProblem =
  | { code: 'siteTooFewVertices' }
  | { code: 'siteSelfIntersects' }
  | { code: 'blockTooFewVertices'; index: number }
  | { code: 'blockSelfIntersects'; index: number }
  | { code: 'blockOutsideSite'; index: number }

/** Problems that block saving; an empty list means the draft can be submitted. */
export function validate(state: EditorState): EditorProblem[] {
  const problems: EditorProblem[] = []
  if (state.site.length < 3) problems.push({ code: 'siteTooFewVertices' })
  else if (isSelfIntersecting(state.site)) problems.push({ code: 'siteSelfIntersects' })
  state.blocks.forEach((b, index) => {
    if (b.footprint.length < 3) problems.push({ code: 'blockTooFewVertices', index })
    else if (isSelfIntersecting(b.footprint)) problems.push({ code: 'blockSelfIntersects', index })
    else if (state.site.length >= 3 && !b.footprint.every((p) => pointInRing(p, state.site)))
      problems.push({ code: 'blockOutsideSite', index })
  })
  return problems
}

/**
 * GeoJSON payload pieces for the API: `site_boundary` (MultiPolygon) for the proposal and
 * `massing`, the FeatureCollection `PUT /proposals/{id}/massing` takes.
 */
export function toProposalGeometry(state: EditorState) {
  return {
    site_boundary: { type: 'MultiPolygon' as const, coordinates: [[closedCoordinates(state.site)]] },
    massing: {
      type: 'FeatureCollection' as const,
      features: state.blocks.map((b, i) => ({
        type: 'Feature' as const,
        geometry: { type: 'Polygon' as const, coordinates: [closedCoordinates(b.footprint)] },
        properties: {
          name: `Block ${i + 1}`,
          height_m: b.height_m,
          base_height_m: b.base_height_m,
          ...(b.storeys !== undefined ? { storeys: b.storeys } : {}),
        },
      })),
    },
  }
}

interface PolygonLike {
  type: string
  coordinates: unknown
}

/** Editor state from a saved proposal (site boundary and massing FeatureCollection). */
export function fromProposalGeometry(siteBoundary: PolygonLike | null | undefined, massing: unknown): EditorState {
  const state = emptyEditorState()
  const rings = (g: PolygonLike | null | undefined): Ring[] =>
    g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? outerRings(g as Parameters<typeof outerRings>[0]) : []
  state.site = rings(siteBoundary)[0] ?? []
  const features = (massing as { features?: { geometry?: PolygonLike; properties?: Record<string, unknown> }[] } | null)?.features ?? []
  for (const f of features) {
    const props = f.properties ?? {}
    const storeys = typeof props.storeys === 'number' ? props.storeys : undefined
    const base = Number(props.base_height_m) || 0
    const top = Number(props.height_m) || (storeys ? storeys * DEFAULT_STOREY_HEIGHT_M : 12)
    for (const ring of rings(f.geometry)) state.blocks.push({ footprint: ring, height_m: top, base_height_m: base, storeys, heightGiven: Number(props.height_m) > 0 })
  }
  return state
}
