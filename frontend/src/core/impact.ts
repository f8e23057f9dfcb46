/**
 * Impact studies (issue 13), engine- and DOM-free: the summary's facts as message keys and
 * numbers, the colour scales of the maps with BRE 209's thresholds, a protected view's camera,
 * the zone of theoretical visibility's bands and the protected views' results on the map.
 */
import type { ZoneFeature } from '../api/impact'
import type { CameraView, LonLat, LonLatHeight } from './geo'

export type ImpactAnalysis = 'vsc' | 'apsh' | 'ground' | 'visibility'
export type ImpactMode = 'before' | 'after' | 'difference'
export const IMPACT_ANALYSES: readonly ImpactAnalysis[] = ['vsc', 'apsh', 'ground', 'visibility']
export const IMPACT_MODES: readonly ImpactMode[] = ['before', 'after', 'difference']

/** One fact of the summary as the backend sends it: a code and its numbers. */
export interface ImpactFact {
  code: string
  [k: string]: unknown
}

/** A sentence to say: a message key (plural family when `count` is set) and its parameters. */
export interface Sentence {
  key: string
  count?: number
  params: Record<string, string | number>
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0)

/** The facts as sentences the UI words in its language (keys under `impact.fact.`). */
export function factSentences(facts: readonly ImpactFact[]): Sentence[] {
  const out: Sentence[] = []
  for (const f of facts) {
    if (f.code === 'vsc' || f.code === 'apsh') {
      out.push({
        key: `impact.fact.${f.code}`,
        count: num(f.failing),
        params: { points: num(f.points), buildings: num(f.buildings) },
      })
    } else if (f.code === 'ground') {
      out.push({
        key: f.adverse ? 'impact.fact.groundFails' : 'impact.fact.ground',
        params: { radius: num(f.radius_m), after: num(f.after_pct), before: num(f.before_pct) },
      })
    } else if (f.code === 'visibility') {
      out.push({ key: 'impact.fact.visibility', params: { pct: num(f.seen_pct) } })
    } else if (f.code === 'view') {
      out.push({
        key: f.above_landmark ? 'impact.fact.viewAbove' : 'impact.fact.viewBelow',
        params: { name: String(f.name ?? ''), pct: num(f.scheme_pct) },
      })
    } else if (f.code === 'grid') {
      out.push({ key: 'impact.fact.grid', params: {} })
    }
  }
  return out
}

/** The property holding a point's value for an analysis and mode (undefined: not available). */
export function valueKey(analysis: ImpactAnalysis, mode: ImpactMode): string | undefined {
  const keys: Record<ImpactAnalysis, Record<ImpactMode, string | undefined>> = {
    vsc: { before: 'before', after: 'after', difference: 'difference' },
    apsh: { before: 'annual_before', after: 'annual_after', difference: undefined },
    ground: { before: 'sun_hours_before', after: 'sun_hours_after', difference: undefined },
    visibility: { before: undefined, after: 'share_seen', difference: undefined },
  }
  return keys[analysis][mode]
}

/** A point's value, computing a difference when the backend gives only before and after. */
export function pointValue(props: Record<string, unknown>, analysis: ImpactAnalysis, mode: ImpactMode): number | undefined {
  const key = valueKey(analysis, mode)
  if (key !== undefined) {
    const v = props[key]
    return typeof v === 'number' ? v : undefined
  }
  if (mode === 'difference') {
    const b = pointValue(props, analysis, 'before')
    const a = pointValue(props, analysis, 'after')
    return a !== undefined && b !== undefined ? a - b : undefined
  }
  return undefined
}

export type Rgb = readonly [number, number, number]
export interface Scale {
  min: number
  max: number
  /** the BRE 209 pass mark on this scale, drawn on the legend (undefined: none) */
  threshold?: number
  unit: '%' | 'h' | ''
  /** colours at min → max (3 stops) */
  stops: readonly [Rgb, Rgb, Rgb]
}

const RED: Rgb = [215, 48, 39]
const YELLOW: Rgb = [254, 224, 139]
const GREEN: Rgb = [26, 152, 80]
const BLUE: Rgb = [69, 117, 180]
const WHITE: Rgb = [247, 247, 247]

/** The colour scale of an analysis and mode, with BRE 209's thresholds where they apply:
 * VSC 27 %, annual APSH 25 %, 2 hours of sun on 21 March. Differences are red for a loss. */
export function scaleFor(analysis: ImpactAnalysis, mode: ImpactMode): Scale {
  if (mode === 'difference') {
    const span = analysis === 'vsc' ? 20 : analysis === 'ground' ? 6 : analysis === 'apsh' ? 25 : 1
    return { min: -span, max: span, threshold: 0, unit: analysis === 'ground' ? 'h' : analysis === 'visibility' ? '' : '%', stops: [RED, WHITE, BLUE] }
  }
  if (analysis === 'vsc') return { min: 0, max: 40, threshold: 27, unit: '%', stops: [RED, YELLOW, GREEN] }
  if (analysis === 'apsh') return { min: 0, max: 50, threshold: 25, unit: '%', stops: [RED, YELLOW, GREEN] }
  if (analysis === 'ground') return { min: 0, max: 12, threshold: 2, unit: 'h', stops: [RED, YELLOW, GREEN] }
  return { min: 0, max: 1, unit: '', stops: [WHITE, YELLOW, RED] }
}

/** The colour of `value` on `scale`: two linear segments meeting at the threshold (or middle). */
export function colourOf(value: number, scale: Scale): Rgb {
  const mid = scale.threshold ?? (scale.min + scale.max) / 2
  const v = Math.min(scale.max, Math.max(scale.min, value))
  const [a, b, t] = v <= mid ? [scale.stops[0], scale.stops[1], (v - scale.min) / (mid - scale.min || 1)] : [scale.stops[1], scale.stops[2], (v - mid) / (scale.max - mid || 1)]
  return [0, 1, 2].map((i) => Math.round(a[i] + (b[i] - a[i]) * t)) as unknown as Rgb
}

export const cssColour = (c: Rgb) => `rgb(${c[0]}, ${c[1]}, ${c[2]})`

/** Legend ticks: min, threshold (marked), max. */
export function legendTicks(scale: Scale): { value: number; threshold: boolean; at: number }[] {
  const at = (v: number) => (v - scale.min) / (scale.max - scale.min)
  const ticks = [{ value: scale.min, threshold: false, at: 0 }]
  if (scale.threshold !== undefined) ticks.push({ value: scale.threshold, threshold: true, at: at(scale.threshold) })
  ticks.push({ value: scale.max, threshold: false, at: 1 })
  return ticks
}

/** A camera at `eye` looking at `target` (lon/lat/height), for a protected view. */
export function viewCamera(eye: LonLatHeight, target: LonLatHeight): CameraView {
  const R = 6371008.8
  const lat0 = (eye.lat * Math.PI) / 180
  const dx = (((target.lon - eye.lon) * Math.PI) / 180) * R * Math.cos(lat0)
  const dy = (((target.lat - eye.lat) * Math.PI) / 180) * R
  const dz = target.height - eye.height
  const heading = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360
  const pitch = (Math.atan2(dz, Math.hypot(dx, dy)) * 180) / Math.PI
  return { position: eye, heading, pitch, roll: 0 }
}

/** One coloured point of a study for the 3D view (façade, ground or eye point). */
export interface ImpactMapPoint {
  position: LonLatHeight
  colour: Rgb
  /** the point's index in its analysis (what a click reports) */
  index: number
}

/** The study's points of one analysis and mode, coloured; points without a value are left out. */
export function mapPoints(
  features: readonly { id: number; geometry: { coordinates: readonly number[] }; properties: Record<string, unknown> }[],
  analysis: ImpactAnalysis,
  mode: ImpactMode,
): ImpactMapPoint[] {
  const scale = scaleFor(analysis, mode)
  const out: ImpactMapPoint[] = []
  for (const f of features) {
    const v = pointValue(f.properties, analysis, mode)
    if (v === undefined) continue
    const [lon, lat, height] = f.geometry.coordinates
    out.push({ position: { lon, lat, height: height ?? 0 }, colour: colourOf(v, scale), index: f.id })
  }
  return out
}

/** The zone's bands as the backend sends them: ground whose eye sees more than this share of
 * the scheme (impact/views.py ZONE_BANDS); they nest, the 0.5 band inside the 0.25 band. */
export const ZONE_BANDS: readonly number[] = [0, 0.25, 0.5]
const ZONE_COLOURS: readonly Rgb[] = [
  [254, 224, 139],
  [252, 141, 89],
  [215, 48, 39],
]

function bandLevel(band: number): number {
  const i = ZONE_BANDS.findIndex((b) => Math.abs(b - band) < 1e-9)
  if (i < 0) throw new Error(`zone band ${band} is not one of ${ZONE_BANDS.join(', ')}`)
  return i
}

/** A band's colour (the legend's and the map's): warmer where more of the scheme is seen. */
export const zoneColour = (band: number): Rgb => ZONE_COLOURS[bandLevel(band)]

/** One polygon of the zone for the 3D view: its outer ring and holes, its band and colour;
 * `level` orders the nested bands (0 lowest), so the inner bands are drawn over the outer. */
export interface ZonePolygon {
  band: number
  level: number
  colour: Rgb
  outer: LonLat[]
  holes: LonLat[][]
}

const ring = (coords: readonly number[][]): LonLat[] => coords.map(([lon, lat]) => ({ lon, lat }))

/** The zone's polygons, one per part of each band's MultiPolygon; empty bands give none. */
export function zonePolygons(features: readonly ZoneFeature[]): ZonePolygon[] {
  const out: ZonePolygon[] = []
  for (const f of features) {
    const band = f.properties.share_seen_above
    const level = bandLevel(band)
    const colour = ZONE_COLOURS[level]
    for (const [outer, ...holes] of f.geometry.coordinates) {
      if (outer && outer.length >= 4) out.push({ band, level, colour, outer: ring(outer), holes: holes.map(ring) })
    }
  }
  return out
}

/** The zone in words and numbers (its text equivalent): each band's area and share, lowest
 * band first. */
export function zoneRows(features: readonly ZoneFeature[]): { band: number; colour: Rgb; areaM2: number; sharePct: number }[] {
  return [...features]
    .sort((a, b) => a.properties.share_seen_above - b.properties.share_seen_above)
    .map((f) => ({
      band: f.properties.share_seen_above,
      colour: zoneColour(f.properties.share_seen_above),
      areaM2: f.properties.area_m2,
      sharePct: 100 * f.properties.share_of_ground,
    }))
}

/** A protected view on the map: its eye and target, and the latest study's result for it
 * (undefined when the view was saved after that study). */
export interface ViewOnMap {
  name: string
  eye: LonLatHeight
  target: LonLatHeight
  result?: { schemePct: number; aboveLandmark: boolean }
}

const lonLatHeight = (p: readonly number[]): LonLatHeight => ({ lon: p[0], lat: p[1], height: p[2] ?? 0 })

/**
 * The saved viewpoints with their results. The study names its views' results by the
 * viewpoint's name (the summary's `view` facts, in the order the views were studied), so a
 * name that repeats takes its results in order.
 */
export function viewsOnMap(
  viewpoints: readonly { name: string; eye: readonly number[]; target: readonly number[] }[],
  facts: readonly ImpactFact[],
): ViewOnMap[] {
  const results = facts.filter((f) => f.code === 'view')
  const used = new Set<ImpactFact>()
  return viewpoints.map((v) => {
    const fact = results.find((f) => !used.has(f) && f.name === v.name)
    if (fact) used.add(fact)
    return {
      name: v.name,
      eye: lonLatHeight(v.eye),
      target: lonLatHeight(v.target),
      result: fact ? { schemePct: num(fact.scheme_pct), aboveLandmark: fact.above_landmark === true } : undefined,
    }
  })
}
