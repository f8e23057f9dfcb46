/**
 * Screen-space clustering of comment pins. The viewer projects each pin to window pixels and
 * calls `clusterPoints`; pins closer than `radiusPx` to a cluster's first pin join it. A uniform
 * grid of `radiusPx` cells keeps it near-linear for thousands of pins. Deterministic: input
 * order decides which pin seeds a cluster.
 */

export interface ScreenPoint<T> {
  x: number
  y: number
  item: T
}

export interface Cluster<T> {
  /** mean position of the members, in pixels */
  x: number
  y: number
  items: T[]
}

export function clusterPoints<T>(points: readonly ScreenPoint<T>[], radiusPx: number): Cluster<T>[] {
  if (radiusPx <= 0) return points.map((p) => ({ x: p.x, y: p.y, items: [p.item] }))
  const seeds: { x: number; y: number; sx: number; sy: number; items: T[] }[] = []
  const grid = new Map<string, number[]>()
  const key = (cx: number, cy: number) => `${cx},${cy}`
  const r2 = radiusPx * radiusPx
  for (const p of points) {
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) continue
    const cx = Math.floor(p.x / radiusPx)
    const cy = Math.floor(p.y / radiusPx)
    let best = -1
    let bestD = Infinity
    for (let dx = -1; dx <= 1; dx++) {
      for (let dy = -1; dy <= 1; dy++) {
        for (const idx of grid.get(key(cx + dx, cy + dy)) ?? []) {
          const s = seeds[idx]
          const d = (s.x - p.x) ** 2 + (s.y - p.y) ** 2
          if (d <= r2 && (d < bestD || (d === bestD && idx < best))) {
            best = idx
            bestD = d
          }
        }
      }
    }
    if (best >= 0) {
      const s = seeds[best]
      s.items.push(p.item)
      s.sx += p.x
      s.sy += p.y
    } else {
      const idx = seeds.push({ x: p.x, y: p.y, sx: p.x, sy: p.y, items: [p.item] }) - 1
      const k = key(cx, cy)
      const cell = grid.get(k)
      if (cell) cell.push(idx)
      else grid.set(k, [idx])
    }
  }
  return seeds.map((s) => ({ x: s.sx / s.items.length, y: s.sy / s.items.length, items: s.items }))
}
