/** Engine-neutral geometry types. Coordinates are always x/y = lon/lat (degrees, WGS84). */

export interface LonLat {
  lon: number
  lat: number
}

export interface LonLatHeight extends LonLat {
  /** metres above the WGS84 ellipsoid */
  height: number
}

/** A camera pose; angles in degrees (heading clockwise from north, pitch negative = looking down). */
export interface CameraView {
  position: LonLatHeight
  heading: number
  pitch: number
  roll: number
}

export type Ring = LonLat[]

const EARTH_RADIUS_M = 6_371_008.8

/** Great-circle distance in metres (haversine). */
export function distanceM(a: LonLat, b: LonLat): number {
  const rad = Math.PI / 180
  const dLat = (b.lat - a.lat) * rad
  const dLon = (b.lon - a.lon) * rad
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)))
}

/** Centroid of a ring's vertices (good enough for small sites; not area-weighted). */
export function ringCentre(ring: readonly LonLat[]): LonLat | undefined {
  if (ring.length === 0) return undefined
  let lon = 0
  let lat = 0
  for (const p of ring) {
    lon += p.lon
    lat += p.lat
  }
  return { lon: lon / ring.length, lat: lat / ring.length }
}

/** Bounding box [west, south, east, north] of many positions, or undefined when empty. */
export function bboxOf(points: Iterable<LonLat>): [number, number, number, number] | undefined {
  let w = Infinity
  let s = Infinity
  let e = -Infinity
  let n = -Infinity
  for (const p of points) {
    w = Math.min(w, p.lon)
    s = Math.min(s, p.lat)
    e = Math.max(e, p.lon)
    n = Math.max(n, p.lat)
  }
  return Number.isFinite(w) ? [w, s, e, n] : undefined
}

/** All outer-ring positions of a GeoJSON Polygon or MultiPolygon. */
export function outerRings(
  geometry: { type: 'Polygon'; coordinates: number[][][] } | { type: 'MultiPolygon'; coordinates: number[][][][] },
): Ring[] {
  const polys = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
  return polys
    .filter((poly) => poly.length > 0)
    .map((poly) => openRing(poly[0].map(([lon, lat]) => ({ lon, lat }))))
}

/** Drop the closing vertex of a GeoJSON ring (first == last). */
export function openRing(ring: Ring): Ring {
  if (ring.length > 1) {
    const a = ring[0]
    const b = ring[ring.length - 1]
    if (a.lon === b.lon && a.lat === b.lat) return ring.slice(0, -1)
  }
  return ring
}

/** Close a ring for GeoJSON output, as [lon, lat] pairs. */
export function closedCoordinates(ring: readonly LonLat[]): number[][] {
  const coords = ring.map((p) => [p.lon, p.lat])
  if (coords.length > 0) coords.push([ring[0].lon, ring[0].lat])
  return coords
}

function cross(o: LonLat, a: LonLat, b: LonLat): number {
  return (a.lon - o.lon) * (b.lat - o.lat) - (a.lat - o.lat) * (b.lon - o.lon)
}

function segmentsCross(p1: LonLat, p2: LonLat, q1: LonLat, q2: LonLat): boolean {
  const d1 = cross(q1, q2, p1)
  const d2 = cross(q1, q2, p2)
  const d3 = cross(p1, p2, q1)
  const d4 = cross(p1, p2, q2)
  return ((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))
}

/** True when two non-adjacent edges of the (implicitly closed) ring properly cross. */
export function isSelfIntersecting(ring: readonly LonLat[]): boolean {
  const n = ring.length
  if (n < 4) return false
  for (let i = 0; i < n; i++) {
    const a1 = ring[i]
    const a2 = ring[(i + 1) % n]
    for (let j = i + 2; j < n; j++) {
      if (i === 0 && j === n - 1) continue // adjacent through the closing edge
      if (segmentsCross(a1, a2, ring[j], ring[(j + 1) % n])) return true
    }
  }
  return false
}

/** Ray-casting point-in-polygon on lon/lat (planar; fine at site scale). */
export function pointInRing(p: LonLat, ring: readonly LonLat[]): boolean {
  let inside = false
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i]
    const b = ring[j]
    if (a.lat > p.lat !== b.lat > p.lat && p.lon < ((b.lon - a.lon) * (p.lat - a.lat)) / (b.lat - a.lat) + a.lon) {
      inside = !inside
    }
  }
  return inside
}
