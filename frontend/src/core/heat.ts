/**
 * Heat-map colour ramp: light yellow to dark red, more opaque as density grows. A sequential
 * single-hue-family ramp reads in greyscale too, and the analytics table carries the numbers.
 */
export function heatColour(t: number): [number, number, number, number] {
  const x = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0))
  // from #ffeda0 (255,237,160) to #bd0026 (189,0,38)
  const lerp = (a: number, b: number) => (a + (b - a) * x) / 255
  return [lerp(255, 189), lerp(237, 0), lerp(160, 38), 0.35 + 0.4 * x]
}
