/**
 * The impact study on the city (issue 13): façade, ground and eye points as coloured point
 * primitives (one draw call for thousands), clickable; the zone of theoretical visibility as
 * polygons clamped to the ground (terrain and the draped ground layer alike); the protected
 * views as an eye marker and a line of sight; looking along a view outlines the scheme. Colours
 * come from core/impact.ts.
 */
import {
  Cartesian2,
  Cartesian3,
  ClassificationType,
  Color,
  CustomDataSource,
  LabelStyle,
  NearFarScalar,
  PointPrimitiveCollection,
  PolygonHierarchy,
  VerticalOrigin,
  type CesiumWidget,
} from 'cesium'
import type { ImpactMapPoint, ViewOnMap, ZonePolygon } from '../core/impact'
import type { LonLat } from '../core/geo'
import type { SchemeOutline } from '../core/mapview'

const TAG = 'impact-point'
/** the zone is translucent: the streets and parks under it stay readable */
const ZONE_ALPHA = 0.55
const VIEW_ABOVE = Color.fromBytes(215, 48, 39)
const VIEW_BELOW = Color.fromBytes(69, 117, 180)
const VIEW_UNKNOWN = Color.fromBytes(120, 120, 120)
/** the scheme's outline when looking along a view: bright, and paler where something hides it */
const OUTLINE = Color.fromBytes(255, 214, 0)

const degrees = (ring: readonly LonLat[]) => ring.map((p) => Cartesian3.fromDegrees(p.lon, p.lat))

export class ImpactLayer {
  private points?: PointPrimitiveCollection
  private onPick?: (index: number) => void
  /** named so the page (and the e2e tests) can find what is drawn */
  readonly zone = new CustomDataSource('impact-zone')
  readonly views = new CustomDataSource('impact-views')
  readonly outline = new CustomDataSource('impact-outline')

  constructor(private readonly widget: CesiumWidget) {
    void widget.dataSources.add(this.zone)
    void widget.dataSources.add(this.views)
    void widget.dataSources.add(this.outline)
  }

  /** Each block as lines: its rings at the base and at the top and an edge up every corner,
   * drawn through what stands before it (paler there), so the scheme reads in a view even
   * where neighbours hide part of it. */
  outlineScheme(blocks: readonly SchemeOutline[] | undefined) {
    this.outline.entities.removeAll()
    for (const [b, block] of (blocks ?? []).entries()) {
      for (const [r, ring] of block.rings.entries()) {
        const closed = ring.length && (ring[0].lon !== ring[ring.length - 1].lon || ring[0].lat !== ring[ring.length - 1].lat) ? [...ring, ring[0]] : ring
        for (const [level, h] of [['base', block.base], ['top', block.top]] as const) {
          this.outline.entities.add({
            name: `outline ${b} ring ${r} ${level}`,
            polyline: {
              positions: closed.map((p) => Cartesian3.fromDegrees(p.lon, p.lat, h)),
              width: 3,
              material: OUTLINE,
              depthFailMaterial: OUTLINE.withAlpha(0.45),
            },
          })
        }
        for (const [k, p] of closed.slice(0, -1).entries()) {
          this.outline.entities.add({
            name: `outline ${b} ring ${r} edge ${k}`,
            polyline: {
              positions: [Cartesian3.fromDegrees(p.lon, p.lat, block.base), Cartesian3.fromDegrees(p.lon, p.lat, block.top)],
              width: 2,
              material: OUTLINE,
              depthFailMaterial: OUTLINE.withAlpha(0.45),
            },
          })
        }
      }
    }
    this.widget.scene.requestRender()
  }

  /** The zone's polygons with no height, so Cesium clamps them to the ground; the nested
   * bands stack by `zIndex`, the band where most of the scheme is seen on top. */
  showZone(polygons: readonly ZonePolygon[] | undefined) {
    this.zone.entities.removeAll()
    for (const p of polygons ?? []) {
      this.zone.entities.add({
        name: `zone > ${p.band}`,
        polygon: {
          hierarchy: new PolygonHierarchy(degrees(p.outer), p.holes.map((h) => new PolygonHierarchy(degrees(h)))),
          material: Color.fromBytes(p.colour[0], p.colour[1], p.colour[2], Math.round(255 * ZONE_ALPHA)),
          classificationType: ClassificationType.BOTH,
          zIndex: p.level,
        },
      })
    }
    this.widget.scene.requestRender()
  }

  /** Each view's eye as a labelled marker and its line of sight to the target, red when the
   * scheme rises above the landmark's silhouette, blue when it stays below, grey unstudied. */
  showViews(views: readonly ViewOnMap[] | undefined) {
    this.views.entities.removeAll()
    for (const v of views ?? []) {
      const colour = !v.result ? VIEW_UNKNOWN : v.result.aboveLandmark ? VIEW_ABOVE : VIEW_BELOW
      const eye = Cartesian3.fromDegrees(v.eye.lon, v.eye.lat, v.eye.height)
      this.views.entities.add({
        name: v.name,
        position: eye,
        point: { pixelSize: 11, color: colour, outlineColor: Color.WHITE, outlineWidth: 2, disableDepthTestDistance: Number.POSITIVE_INFINITY },
        label: {
          text: v.name,
          font: '13px sans-serif',
          style: LabelStyle.FILL_AND_OUTLINE,
          outlineWidth: 3,
          outlineColor: Color.BLACK,
          verticalOrigin: VerticalOrigin.BOTTOM,
          pixelOffset: new Cartesian2(0, -10),
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
        },
        polyline: {
          positions: [eye, Cartesian3.fromDegrees(v.target.lon, v.target.lat, v.target.height)],
          width: 3,
          material: colour,
          depthFailMaterial: colour.withAlpha(0.4),
        },
      })
    }
    this.widget.scene.requestRender()
  }

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
