/**
 * Things drawn over the city: proposal sites and massing, the editor draft, comment pins
 * (clustered in screen space by core/cluster.ts), opportunity markers, the comment heat map.
 */
import {
  Cartesian2,
  Cartesian3,
  Color,
  CustomDataSource,
  Entity,
  HeadingPitchRoll,
  HeightReference,
  LabelCollection,
  LabelStyle,
  Math as CMath,
  BillboardCollection,
  PolygonHierarchy,
  SceneTransforms,
  ShadowMode,
  Transforms,
  VerticalOrigin,
  type CesiumWidget,
} from 'cesium'
import type { Comment, Opportunity, Proposal, ProposalAnalytics, ProposalSummary } from '../api/types'
import { clusterPoints } from '../core/cluster'
import { anchorPoint } from '../core/comments'
import type { EditorState } from '../core/editor'
import { outerRings, type Ring } from '../core/geo'
import { heatColour } from '../core/heat'
import { opportunityPoint } from '../core/opportunities'
import { MAP_COLOURS, PIN_STYLES } from '../core/pins'
import { toCartesian } from './convert'
import { clusterImage, pinImage } from './pins'

export type PickTag =
  | { kind: 'proposal'; proposal: ProposalSummary }
  | { kind: 'comments'; comments: Comment[] }
  | { kind: 'opportunity'; opportunity: Opportunity }
  | { kind: 'scheme'; proposal: ProposalSummary }

type Geometry = Parameters<typeof outerRings>[0]
function ringsOf(g: unknown): Ring[] {
  const geom = g as { type?: string } | null | undefined
  return geom && (geom.type === 'Polygon' || geom.type === 'MultiPolygon') ? outerRings(geom as Geometry) : []
}

const entityTags = new WeakMap<Entity, PickTag>()

function tagged(entity: Entity, tag: PickTag): Entity {
  entityTags.set(entity, tag)
  return entity
}

const SITE = Color.fromCssColorString(MAP_COLOURS.site)
/** a scheme's new buildings: warm, unlike the white city, so new reads apart from existing */
const MASSING = Color.fromCssColorString(MAP_COLOURS.scheme)
const DRAFT = Color.fromCssColorString('#7b1fa2')

function hierarchy(ring: Ring, height = 0): PolygonHierarchy {
  return new PolygonHierarchy(ring.map((p) => Cartesian3.fromDegrees(p.lon, p.lat, height)))
}

function linePositions(ring: Ring, height: number, closed: boolean): Cartesian3[] {
  const pts = ring.map((p) => Cartesian3.fromDegrees(p.lon, p.lat, height))
  if (closed && pts.length > 2) pts.push(pts[0])
  return pts
}

export class Overlays {
  readonly sites = new CustomDataSource('sites')
  readonly scheme = new CustomDataSource('scheme')
  readonly draft = new CustomDataSource('draft')
  readonly opportunities = new CustomDataSource('opportunities')
  readonly heatCells = new CustomDataSource('heat')
  private readonly pins: BillboardCollection
  private readonly pinLabels: LabelCollection
  private comments: readonly Comment[] = []
  private schemeVisible = true

  constructor(private readonly widget: CesiumWidget) {
    for (const ds of [this.sites, this.scheme, this.draft, this.opportunities, this.heatCells]) void widget.dataSources.add(ds)
    this.pins = widget.scene.primitives.add(new BillboardCollection({ scene: widget.scene }))
    this.pinLabels = widget.scene.primitives.add(new LabelCollection())
    widget.camera.moveEnd.addEventListener(() => this.layoutPins())
  }

  showSites(list: readonly ProposalSummary[]) {
    this.sites.entities.removeAll()
    for (const p of list) {
      for (const ring of ringsOf(p.site_boundary)) {
        this.sites.entities.add(
          tagged(
            new Entity({
              // the outline stays visible where buildings stand in front of it (dimmer there)
              polyline: { positions: linePositions(ring, 0.5, true), width: 4, material: SITE, depthFailMaterial: SITE.withAlpha(0.55) },
              polygon: { hierarchy: hierarchy(ring, 0.3), material: SITE.withAlpha(0.2), height: 0.3 },
            }),
            { kind: 'proposal', proposal: p },
          ),
        )
      }
    }
    this.widget.scene.requestRender()
  }

  /**
   * The selected scheme: its glb model in place, and its massing as extruded polygons unless
   * the massing tileset (built by the backend with the city's mesh code) is shown instead.
   */
  showScheme(p: Proposal | undefined, massingAsEntities: boolean) {
    this.scheme.entities.removeAll()
    if (!p) return this.widget.scene.requestRender()
    const tag: PickTag = { kind: 'scheme', proposal: p }
    const features = (p.massing as { features?: { geometry?: unknown; properties?: Record<string, unknown> }[] }).features ?? []
    if (massingAsEntities) {
      for (const f of features) {
        const base = Number(f.properties?.base_height_m) || 0
        const top = Number(f.properties?.height_m) || 12
        for (const ring of ringsOf(f.geometry)) {
          this.scheme.entities.add(
            tagged(
              new Entity({
                polygon: {
                  hierarchy: hierarchy(ring),
                  height: base,
                  extrudedHeight: top,
                  material: MASSING.withAlpha(0.95),
                  outline: true,
                  outlineColor: SITE,
                  shadows: ShadowMode.ENABLED,
                },
              }),
              tag,
            ),
          )
        }
      }
    }
    if (p.model) {
      const m = p.model
      const position = Cartesian3.fromDegrees(m.lon, m.lat, m.height_m ?? 0)
      const orientation = Transforms.headingPitchRollQuaternion(position, new HeadingPitchRoll(CMath.toRadians(m.heading_deg ?? 0), 0, 0))
      this.scheme.entities.add(
        tagged(new Entity({ position, orientation, model: { uri: m.url, scale: m.scale ?? 1, shadows: ShadowMode.ENABLED } }), tag),
      )
    }
    this.scheme.show = this.schemeVisible
    this.widget.scene.requestRender()
  }

  setSchemeVisible(on: boolean) {
    this.schemeVisible = on
    this.scheme.show = on
    this.widget.scene.requestRender()
  }

  showDraft(state: EditorState | undefined) {
    this.draft.entities.removeAll()
    if (state) {
      const rings: { ring: Ring; height: number; base: number; active: boolean }[] = []
      rings.push({ ring: state.site, height: 0, base: 0, active: state.target.kind === 'site' })
      state.blocks.forEach((b, i) =>
        rings.push({
          ring: b.footprint,
          height: b.height_m,
          base: b.base_height_m,
          active: state.target.kind === 'block' && state.target.index === i,
        }),
      )
      for (const r of rings) {
        const colour = r.active ? DRAFT : DRAFT.withAlpha(0.6)
        if (r.ring.length >= 3 && r.height > 0) {
          this.draft.entities.add({
            polygon: {
              hierarchy: hierarchy(r.ring),
              height: r.base,
              extrudedHeight: r.base + r.height,
              material: colour.withAlpha(0.5),
              outline: true,
              outlineColor: colour,
            },
          })
        }
        if (r.ring.length >= 2) {
          this.draft.entities.add({ polyline: { positions: linePositions(r.ring, r.base + 0.6, r.ring.length >= 3), width: r.active ? 4 : 2, material: colour } })
        }
        for (const p of r.ring) {
          this.draft.entities.add({
            position: Cartesian3.fromDegrees(p.lon, p.lat, r.base + 0.6),
            point: { pixelSize: r.active ? 9 : 6, color: colour, outlineColor: Color.WHITE, outlineWidth: 1, disableDepthTestDistance: Number.POSITIVE_INFINITY },
          })
        }
      }
    }
    this.widget.scene.requestRender()
  }

  setComments(comments: readonly Comment[]) {
    this.comments = comments.filter((c) => anchorPoint(c.anchor) && c.state === 'published')
    this.layoutPins()
  }

  /** Re-cluster pins for the current camera (called on camera move end). */
  layoutPins() {
    this.pins.removeAll()
    this.pinLabels.removeAll()
    const scene = this.widget.scene
    const projected = []
    for (const c of this.comments) {
      const world = toCartesian(anchorPoint(c.anchor)!)
      const win = SceneTransforms.worldToWindowCoordinates(scene, world)
      if (win) projected.push({ x: win.x, y: win.y, item: { c, world } })
    }
    for (const cluster of clusterPoints(projected, 28)) {
      const items = cluster.items
      const first = items[0]
      const tag: PickTag = { kind: 'comments', comments: items.map((i) => i.c) }
      const position = items.length === 1 ? first.world : Cartesian3.fromElements(
        items.reduce((s, i) => s + i.world.x, 0) / items.length,
        items.reduce((s, i) => s + i.world.y, 0) / items.length,
        items.reduce((s, i) => s + i.world.z, 0) / items.length,
      )
      // one comment: its sentiment's shape and colour; several: a numbered disc
      this.pins.add({
        position,
        image: items.length === 1 ? pinImage(PIN_STYLES[first.c.sentiment ?? 'neutral'], 18) : clusterImage(24),
        width: items.length === 1 ? 18 : 24,
        height: items.length === 1 ? 18 : 24,
        verticalOrigin: VerticalOrigin.CENTER,
        disableDepthTestDistance: Number.POSITIVE_INFINITY,
        id: tag,
      })
      if (items.length > 1) {
        this.pinLabels.add({
          position,
          text: String(items.length),
          font: 'bold 12px sans-serif',
          fillColor: Color.WHITE,
          style: LabelStyle.FILL,
          verticalOrigin: VerticalOrigin.CENTER,
          pixelOffset: new Cartesian2(-4, 0),
          disableDepthTestDistance: Number.POSITIVE_INFINITY,
          id: tag,
        })
      }
    }
    scene.requestRender()
  }

  setOpportunities(list: readonly Opportunity[]) {
    this.opportunities.entities.removeAll()
    for (const o of list) {
      const c = opportunityPoint(o)
      if (!c) continue
      this.opportunities.entities.add(
        tagged(
          new Entity({
            position: Cartesian3.fromDegrees(c.lon, c.lat, 0),
            billboard: { image: pinImage(PIN_STYLES.opportunity, 18), width: 18, height: 18, heightReference: HeightReference.NONE, disableDepthTestDistance: Number.POSITIVE_INFINITY },
          }),
          { kind: 'opportunity', opportunity: o },
        ),
      )
    }
    this.widget.scene.requestRender()
  }

  /** Comment density: the analytics grid cells draped on the ground, coloured by count. */
  setHeatmap(cells: ProposalAnalytics['heatmap'] | undefined) {
    this.heatCells.entities.removeAll()
    const features = ((cells as { features?: { geometry?: unknown; properties?: { count?: number } }[] } | undefined)?.features ?? [])
    const max = Math.max(1, ...features.map((f) => f.properties?.count ?? 0))
    for (const f of features) {
      const [r, g, b, a] = heatColour((f.properties?.count ?? 0) / max)
      for (const ring of ringsOf(f.geometry)) {
        this.heatCells.entities.add({
          polygon: { hierarchy: hierarchy(ring), height: 0.6, material: new Color(r, g, b, a), outline: false },
        })
      }
    }
    this.widget.scene.requestRender()
  }
}

/** The PickTag attached to a picked object, if it is one of ours. */
export function pickTag(picked: unknown): PickTag | undefined {
  if (!picked || typeof picked !== 'object') return undefined
  const id = (picked as { id?: unknown }).id
  if (id instanceof Entity) return entityTags.get(id)
  if (id && typeof id === 'object' && 'kind' in id) return id as PickTag
  return undefined
}
