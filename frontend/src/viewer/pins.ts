/** Pin images for billboards, drawn once per shape, colour and size on a canvas (core/pins.ts). */
import { CLUSTER_COLOUR, pinPolygon, type PinStyle } from '../core/pins'

const cache = new Map<string, HTMLCanvasElement>()

/** A white-outlined mark of `style`, `size` CSS pixels square (drawn at 2× for sharpness). */
export function pinImage(style: PinStyle, size: number): HTMLCanvasElement {
  const key = `${style.shape}:${style.colour}:${size}`
  const hit = cache.get(key)
  if (hit) return hit
  const scale = 2
  const canvas = document.createElement('canvas')
  canvas.width = canvas.height = size * scale
  const g = canvas.getContext('2d')
  if (g) {
    g.scale(scale, scale)
    g.beginPath()
    if (style.shape === 'circle') g.arc(size / 2, size / 2, size / 2 - 2, 0, Math.PI * 2)
    else {
      const pts = pinPolygon(style.shape, size, 2)
      g.moveTo(pts[0][0], pts[0][1])
      for (const [x, y] of pts.slice(1)) g.lineTo(x, y)
      g.closePath()
    }
    g.fillStyle = style.colour
    g.fill()
    g.lineWidth = 2
    g.strokeStyle = '#ffffff'
    g.lineJoin = 'round'
    g.stroke()
  }
  cache.set(key, canvas)
  return canvas
}

/** The disc of a cluster of comments (its count is a label on top). */
export function clusterImage(size: number): HTMLCanvasElement {
  return pinImage({ shape: 'circle', colour: CLUSTER_COLOUR }, size)
}
