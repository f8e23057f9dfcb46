/**
 * The impact study on the city (issue 13): façade, ground and eye points as coloured point
 * primitives (one draw call for thousands), clickable; the colours come from core/impact.ts.
 */
import { Cartesian3, Color, NearFarScalar, PointPrimitiveCollection, type CesiumWidget } from 'cesium'
import type { ImpactMapPoint } from '../core/impact'

const TAG = 'impact-point'

export class ImpactLayer {
  private points?: PointPrimitiveCollection
  private onPick?: (index: number) => void

  constructor(private readonly widget: CesiumWidget) {}

  show(points: readonly ImpactMapPoint[] | undefined, onPick?: (index: number) => void) {
    this.clear()
    this.onPick = onPick
    if (!points?.length) return
    const collection = new PointPrimitiveCollection()
    for (const p of points) {
      collection.add({
        position: Cartesian3.fromDegrees(p.position.lon, p.position.lat, p.position.height),
        color: Color.fromBytes(p.colour[0], p.colour[1], p.colour[2], 235),
        pixelSize: 7,
        outlineColor: Color.BLACK.withAlpha(0.5),
        outlineWidth: 1,
        // small from afar, so the city stays readable; never hidden behind the wall it sits on
        scaleByDistance: new NearFarScalar(50, 1.4, 2500, 0.5),
        disableDepthTestDistance: 0,
        id: { tag: TAG, index: p.index },
      })
    }
    this.points = this.widget.scene.primitives.add(collection) as PointPrimitiveCollection
    this.widget.scene.requestRender()
  }

  clear() {
    if (this.points) {
      this.widget.scene.primitives.remove(this.points)
      this.points = undefined
      this.widget.scene.requestRender()
    }
  }

  /** A click's pick: true (and reported) when it is one of the study's points. */
  handlePick(picked: unknown): boolean {
    const id = (picked as { id?: { tag?: string; index?: number } } | undefined)?.id
    if (id?.tag !== TAG || typeof id.index !== 'number') return false
    this.onPick?.(id.index)
    return true
  }
}
