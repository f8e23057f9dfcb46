/**
 * What the marks on the map look like, once, for the 3D view (viewer/) and the legend (ui/):
 * comment pins differ by shape as well as colour (sentiment must not rest on colour alone,
 * WCAG 1.4.1), work packages are diamonds, a cluster of comments is a numbered disc.
 */
import type { Sentiment } from '../api'

export type PinShape = 'triangle' | 'circle' | 'square' | 'diamond'

export interface PinStyle {
  shape: PinShape
  /** fill, CSS colour; the outline is white */
  colour: string
}

export const PIN_STYLES: Record<Sentiment | 'opportunity', PinStyle> = {
  objection: { shape: 'triangle', colour: '#c62828' },
  neutral: { shape: 'circle', colour: '#546e7a' },
  supportive: { shape: 'square', colour: '#2e7d32' },
  opportunity: { shape: 'diamond', colour: '#00838f' },
}
export const CLUSTER_COLOUR = '#1a237e'

/** The outline of colours the map uses, for the legend. */
export const MAP_COLOURS = {
  site: '#e65100',
  scheme: '#ffb74d',
  existing: '#f5f5f5',
  selected: '#4fc3f7',
} as const

/**
 * The shape's outline as points in a `size`×`size` box (y down), inset by `pad`; a circle is
 * returned as its bounding square (drawn as an arc by the caller).
 */
export function pinPolygon(shape: PinShape, size: number, pad = 2): [number, number][] {
  const a = pad
  const b = size - pad
  const m = size / 2
  switch (shape) {
    case 'triangle':
      return [
        [m, a],
        [b, b],
        [a, b],
      ]
    case 'diamond':
      return [
        [m, a],
        [b, m],
        [m, b],
        [a, m],
      ]
    case 'square':
    case 'circle':
      return [
        [a, a],
        [b, a],
        [b, b],
        [a, b],
      ]
  }
}

/** An SVG path of the shape (the legend draws the same marks as the view). */
export function pinPath(shape: PinShape, size: number, pad = 2): string {
  if (shape === 'circle') {
    const r = size / 2 - pad
    const m = size / 2
    return `M ${m - r} ${m} a ${r} ${r} 0 1 0 ${2 * r} 0 a ${r} ${r} 0 1 0 ${-2 * r} 0 Z`
  }
  return `M ${pinPolygon(shape, size, pad)
    .map(([x, y]) => `${x} ${y}`)
    .join(' L ')} Z`
}
