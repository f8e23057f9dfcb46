/**
 * The 3D view: the only module tree that imports cesium. `createMapView` returns the
 * engine-neutral `MapView` the UI talks to.
 */
import './cesiumBase'
import {
  BoundingSphere,
  Cartesian2,
  Cartesian3,
  Matrix4,
  Cesium3DTileFeature,
  Cesium3DTileset,
  Cesium3DTileStyle,
  HeadingPitchRange,
  JulianDate,
  Math as CMath,
  Rectangle,
  SceneTransforms,
  ScreenSpaceEventHandler,
  ScreenSpaceEventType,
  ShadowMode,
  type CesiumWidget,
} from 'cesium'
import type { Comment, Opportunity, Proposal, ProposalAnalytics, ProposalSummary } from '../api/types'
import { anchorPoint } from '../core/comments'
import { withSiteLocations } from '../core/opportunities'
import { MAP_COLOURS } from '../core/pins'
import type { AppConfig } from '../config'
import type { EditorState } from '../core/editor'
import type { ImpactMapPoint, ViewOnMap, ZonePolygon } from '../core/impact'
import { bboxOf, outerRings, type CameraView, type LonLat } from '../core/geo'
import type { BBox, BeforeAfter, BuildingProperties, MapView, PickedPoint, SchemeOutline } from '../core/mapview'
import { allTilesLoaded, FeatureHighlighter, featureProperties, loadCityTileset, styleBuildings, untilRootDrawn } from './buildings'
import { cameraOptions, cameraView, toLonLatHeight } from './convert'
import { loadGround } from './ground'
import { ImpactLayer } from './impact'
import { loadTerrain } from './terrain'
import { enableKeyboardCamera } from './keyboard'
import { Overlays, pickTag } from './overlays'
import type { FrameGate } from './framegate'
import { createWidget } from './setup'
import { VariantLayer, type VariantState } from './variants'
import type { VariantScene } from '../core/variants'

declare global {
  interface Window {
    /** test hook (only with ?test=1 or ?test=full) */
    __civictwin?: {
      viewer: CesiumWidget
      tileset?: Cesium3DTileset
      /** the selected scheme's massing tileset, once loaded */
      massing?: Cesium3DTileset
      ready: Promise<void>
      mapView: MapView
      /** the design variants drawn (issue 14) */
      variants?: () => VariantState
    }
  }
}

class CesiumMapView implements MapView {
  readonly ready: Promise<void>
  tileset?: Cesium3DTileset
  private readonly overlays: Overlays
  private readonly impact: ImpactLayer
  readonly variants: VariantLayer
  private readonly highlighter: FeatureHighlighter
  private readonly handler: ScreenSpaceEventHandler
  private buildingListeners: ((p: BuildingProperties | undefined) => void)[] = []
  private pickListeners: ((p: PickedPoint | undefined) => void)[] = []
  private readonly homeConfig: CameraView | undefined
  private onSelectProposal?: (p: ProposalSummary) => void
  private onSelectComment?: (c: Comment) => void
  private onSelectOpportunity?: (o: Opportunity) => void
  private pendingPick?: (p: PickedPoint | undefined) => void
  private drawHandler?: (p: LonLat) => void
  private selected?: Proposal
  private massing?: Cesium3DTileset
  private highlightedId?: string
  private beforeAfter: BeforeAfter = 'after'
  private proposals: readonly ProposalSummary[] = []
  private opportunities: readonly Opportunity[] = []
  /** set once anything (a deep link, a fly-to) placed the camera: the city must not re-frame it */
  private cameraPlaced = false
  /** The ground layer's tileset: its streets and water are not buildings to select. */
  private groundTileset: Cesium3DTileset | undefined
  /** the render loop (framegate.ts): the panel's answers are painted before the next 3D frame */
  gate?: FrameGate

  holdFrames(ms: number) {
    this.gate?.hold(ms)
  }

  releaseFrames() {
    this.gate?.release()
  }

  constructor(
    readonly widget: CesiumWidget,
    cfg: AppConfig,
    initialCamera: CameraView | undefined,
  ) {
    this.overlays = new Overlays(widget)
    this.homeConfig = cfg.home ? { position: cfg.home, heading: 0, pitch: -45, roll: 0 } : undefined
    this.impact = new ImpactLayer(widget)
    this.variants = new VariantLayer(widget, () => (this.selected ? { kind: 'scheme', proposal: this.selected } : undefined))
    this.highlighter = new FeatureHighlighter(widget)
    this.handler = new ScreenSpaceEventHandler(widget.canvas)
    this.handler.setInputAction((m: ScreenSpaceEventHandler.MotionEvent) => this.onHover(m.endPosition), ScreenSpaceEventType.MOUSE_MOVE)
    this.handler.setInputAction((c: ScreenSpaceEventHandler.PositionedEvent) => this.onClick(c.position), ScreenSpaceEventType.LEFT_CLICK)
    enableKeyboardCamera(widget)
    if (initialCamera) this.setCamera(initialCamera)
    else if (cfg.home) this.widget.camera.setView(cameraOptions({ position: cfg.home, heading: 0, pitch: -45, roll: 0 }))
    this.ready = this.loadCity(cfg, initialCamera === undefined)
  }

  private async loadCity(cfg: AppConfig, frame: boolean) {
    try {
      // the city's terrain, when it was built on one and none is configured (never blocks the city)
      if (!cfg.terrainUrl) void loadTerrain(this.widget, cfg.tilesetUrl).catch((err: unknown) => console.warn('terrain failed to load', err))
      const tileset = await loadCityTileset(this.widget, cfg.tilesetUrl, !cfg.light)
      this.tileset = tileset
      if (window.__civictwin) window.__civictwin.tileset = tileset
      // streets, water and names beside the city, when it was built with them (never blocks it)
      void loadGround(this.widget, cfg.tilesetUrl)
        .then((ground) => {
          this.groundTileset = ground?.tileset
        })
        .catch((err: unknown) => console.warn('ground layer failed to load', err))
      // a proposal opened from a link or the list may already be flying the camera to its site
      if (frame && !this.cameraPlaced) {
        const sphere = tileset.boundingSphere
        this.widget.camera.viewBoundingSphere(
          sphere,
          new HeadingPitchRange(CMath.toRadians(20), CMath.toRadians(-35), Math.max(sphere.radius * 2.2, 200)),
        )
        this.widget.camera.lookAtTransform(Matrix4.IDENTITY)
      }
      this.applyBeforeAfter()
      await allTilesLoaded(this.widget, tileset)
    } catch (err) {
      console.error('city tileset failed to load', err)
      throw err
    }
  }

  /** The building (city or scheme feature) under a pick, never a street or river of the ground layer. */
  private buildingFeature(picked: unknown): Cesium3DTileFeature | undefined {
    if (!(picked instanceof Cesium3DTileFeature)) return undefined
    return picked.tileset === this.groundTileset ? undefined : picked
  }

  private pickAt(pos: Cartesian2): PickedPoint | undefined {
    const scene = this.widget.scene
    const picked: unknown = scene.pick(pos)
    let world = scene.pickPositionSupported ? scene.pickPosition(pos) : undefined
    if (!world || !picked) world = world ?? this.widget.camera.pickEllipsoid(pos)
    if (!world) return undefined
    const feature = this.buildingFeature(picked)
    return {
      point: toLonLatHeight(world),
      building: feature ? featureProperties(feature) : undefined,
      camera: this.getCamera(),
    }
  }

  private onHover(pos: Cartesian2) {
    if (this.drawHandler || this.pendingPick) return
    const picked: unknown = this.widget.scene.pick(pos)
    this.highlighter.hover(this.buildingFeature(picked))
    this.widget.canvas.style.cursor = picked ? 'pointer' : ''
  }

  private onClick(pos: Cartesian2) {
    if (this.pendingPick) {
      const resolve = this.pendingPick
      this.pendingPick = undefined
      resolve(this.pickAt(pos))
      return
    }
    if (this.drawHandler) {
      const p = this.pickAt(pos)
      if (p) this.drawHandler({ lon: p.point.lon, lat: p.point.lat })
      return
    }
    const picked: unknown = this.widget.scene.pick(pos)
    if (this.impact.handlePick(picked)) return
    const tag = pickTag(picked)
    if (tag?.kind === 'proposal' || tag?.kind === 'scheme') this.onSelectProposal?.(tag.proposal)
    else if (tag?.kind === 'comments') {
      if (tag.comments.length === 1) this.onSelectComment?.(tag.comments[0])
      else this.zoomToComments(tag.comments)
    } else if (tag?.kind === 'opportunity') this.onSelectOpportunity?.(tag.opportunity)
    const feature = this.buildingFeature(picked)
    this.highlighter.select(feature)
    const props = feature ? featureProperties(feature) : undefined
    for (const fn of this.buildingListeners) fn(props)
    if (this.pickListeners.length) {
      const pick = feature ? this.pickAt(pos) : undefined
      for (const fn of this.pickListeners) fn(pick && props ? { ...pick, building: props } : undefined)
    }
  }

  private zoomToComments(comments: Comment[]) {
    const box = bboxOf(comments.map((c) => anchorPoint(c.anchor)!))
    if (!box) return
    const pad = 0.0005
    this.widget.camera.flyTo({ destination: Rectangle.fromDegrees(box[0] - pad, box[1] - pad, box[2] + pad, box[3] + pad), duration: 1 })
  }

  getCamera(): CameraView {
    return cameraView(this.widget.camera)
  }

  setCamera(view: CameraView) {
    this.cameraPlaced = true
    this.widget.camera.setView(cameraOptions(view))
    this.widget.scene.requestRender()
  }

  flyTo(view: CameraView) {
    this.cameraPlaced = true
    this.widget.camera.flyTo({ ...cameraOptions(view), duration: 1.5 })
  }

  flyToProposal(p: ProposalSummary) {
    const g = p.site_boundary as Parameters<typeof outerRings>[0] | null
    if (!g) return
    const rings = outerRings(g)
    const box = bboxOf(rings.flat())
    if (!box) return
    // frame the whole scheme, from the ground to the top of its tallest block
    const top = schemeHeight(p)
    const points = rings.flat().flatMap((q) => [Cartesian3.fromDegrees(q.lon, q.lat, 0), Cartesian3.fromDegrees(q.lon, q.lat, top)])
    const sphere = BoundingSphere.fromPoints(points)
    const range = Math.max(150, sphere.radius * 3.2)
    this.cameraPlaced = true
    this.widget.camera.flyToBoundingSphere(sphere, {
      offset: new HeadingPitchRange(CMath.toRadians(20), CMath.toRadians(-25), range),
      duration: 1.5,
    })
  }

  flyToBounds(box: BBox) {
    this.cameraPlaced = true
    const centre = Cartesian3.fromDegrees((box[0] + box[2]) / 2, (box[1] + box[3]) / 2, 0)
    const corner = Cartesian3.fromDegrees(box[0], box[1], 0)
    const sphere = new BoundingSphere(centre, Math.max(30, Cartesian3.distance(centre, corner)))
    this.widget.camera.flyToBoundingSphere(sphere, {
      offset: new HeadingPitchRange(CMath.toRadians(20), CMath.toRadians(-40), sphere.radius * 4),
      duration: 1.2,
    })
  }

  viewBounds(): BBox | undefined {
    const camera = this.widget.camera
    const rect = camera.computeViewRectangle(this.widget.scene.globe.ellipsoid)
    const centre = this.centrePoint()?.point ?? toLonLatHeight(camera.positionWC)
    // a tilted view reaches the horizon: keep to ~600 m around the centre of the view
    const dLat = 600 / 111_320
    const dLon = dLat / Math.max(0.2, Math.cos(CMath.toRadians(centre.lat)))
    let box: BBox = [centre.lon - dLon, centre.lat - dLat, centre.lon + dLon, centre.lat + dLat]
    if (rect) {
      const r: BBox = [CMath.toDegrees(rect.west), CMath.toDegrees(rect.south), CMath.toDegrees(rect.east), CMath.toDegrees(rect.north)]
      box = [Math.max(box[0], r[0]), Math.max(box[1], r[1]), Math.min(box[2], r[2]), Math.min(box[3], r[3])]
    }
    return box[0] < box[2] && box[1] < box[3] ? box : undefined
  }

  highlightBuilding(buildingId: string | undefined) {
    this.highlightedId = buildingId
    this.applyBeforeAfter()
  }

  onCameraChanged(fn: (view: CameraView) => void) {
    return this.widget.camera.moveEnd.addEventListener(() => fn(this.getCamera()))
  }

  onBuildingSelected(fn: (props: BuildingProperties | undefined) => void) {
    this.buildingListeners.push(fn)
  }

  setTime(date: Date) {
    this.widget.clock.currentTime = JulianDate.fromDate(date)
    this.widget.scene.requestRender()
  }

  setShadows(on: boolean) {
    this.widget.scene.shadowMap.enabled = on
    this.widget.scene.requestRender()
  }

  showProposals(list: readonly ProposalSummary[], onSelect: (p: ProposalSummary) => void) {
    this.onSelectProposal = onSelect
    this.proposals = list
    this.overlays.showSites(list)
    // work packages without a location of their own sit at their proposal's site
    this.overlays.setOpportunities(withSiteLocations(this.opportunities, list))
  }

  selectProposal(p: Proposal | undefined) {
    this.selected = p
    // a variant shown belongs to its proposal: leaving it shows none
    if (this.variants.active && this.variants.proposalId !== p?.id) this.variants.show(undefined)
    if (this.massing) {
      this.widget.scene.primitives.remove(this.massing)
      this.massing = undefined
      if (window.__civictwin) window.__civictwin.massing = undefined
    }
    const url = p?.massing_tileset_url
    // the massing as a tileset when the backend built one, else as extrusions until it loads
    this.overlays.showScheme(p, !url)
    this.applyBeforeAfter()
    if (p && url) void this.loadMassing(p, url)
  }

  private async loadMassing(p: Proposal, url: string) {
    try {
      const tileset = await Cesium3DTileset.fromUrl(url.startsWith('/') ? url.slice(1) : url, {
        shadows: ShadowMode.ENABLED,
        // A scheme is one small tile that must show whenever it is in view. Cesium skips a whole
        // tileset when the screen-space error of its top-level geometricError is at most the
        // maximum (16 px by default): the backend writes a few metres for a block, so from the
        // ~150 m of the fly-to the block was never even requested. With 0 (and no distance-based
        // relaxation) only a top-level error of 0 would still hide it. The backend now writes the
        // scheme's whole extent there (backend/services/massing.py); this stays for tilesets
        // written before, which are only rebuilt when their massing changes.
        maximumScreenSpaceError: 0,
        dynamicScreenSpaceError: false,
      })
      if (this.selected !== p) return tileset.destroy()
      this.massing = tileset
      // a scheme's new buildings in their own colour, apart from the white city (core/pins.ts)
      tileset.style = new Cesium3DTileStyle({ color: `color('${MAP_COLOURS.scheme}')` })
      this.widget.scene.primitives.add(tileset)
      if (window.__civictwin) window.__civictwin.massing = tileset
      this.applyBeforeAfter()
      // request-render mode: keep frames coming until the scheme's block is drawn
      void untilRootDrawn(this.widget, tileset)
    } catch (err) {
      console.warn('massing tileset failed to load; showing extrusions', err)
      if (this.selected === p) this.overlays.showScheme(p, true)
    }
  }

  zoomBy(direction: 1 | -1) {
    const camera = this.widget.camera
    const step = Math.max(20, camera.positionCartographic.height * 0.4)
    if (direction > 0) camera.zoomIn(step)
    else camera.zoomOut(step)
    this.widget.scene.requestRender()
  }

  goHome() {
    const sphere = this.tileset?.boundingSphere
    if (sphere) {
      this.widget.camera.flyToBoundingSphere(sphere, {
        offset: new HeadingPitchRange(CMath.toRadians(20), CMath.toRadians(-35), Math.max(sphere.radius * 2.2, 200)),
        duration: 1,
      })
    } else if (this.homeConfig) this.flyTo(this.homeConfig)
  }

  faceNorth() {
    const scene = this.widget.scene
    const camera = this.widget.camera
    const centre = new Cartesian2(scene.canvas.clientWidth / 2, scene.canvas.clientHeight / 2)
    const target = (scene.pickPositionSupported ? scene.pickPosition(centre) : undefined) ?? camera.pickEllipsoid(centre)
    if (!target) {
      camera.setView({ orientation: { heading: 0, pitch: camera.pitch, roll: 0 } })
    } else {
      // turn about the point looked at, at the same distance and tilt
      const range = Cartesian3.distance(camera.positionWC, target)
      camera.lookAt(target, new HeadingPitchRange(0, camera.pitch, range))
      camera.lookAtTransform(Matrix4.IDENTITY)
    }
    scene.requestRender()
  }

  toScreen(point: { lon: number; lat: number; height: number }) {
    const win = SceneTransforms.worldToWindowCoordinates(this.widget.scene, Cartesian3.fromDegrees(point.lon, point.lat, point.height))
    return win ? { x: win.x, y: win.y } : undefined
  }

  onFrame(fn: () => void) {
    return this.widget.scene.postRender.addEventListener(() => fn())
  }

  onBuildingPicked(fn: (pick: PickedPoint | undefined) => void) {
    this.pickListeners.push(fn)
  }

  setBeforeAfter(mode: BeforeAfter) {
    this.beforeAfter = mode
    this.applyBeforeAfter()
  }

  showVariants(scene: VariantScene | undefined) {
    this.variants.show(scene && scene.proposalId === this.selected?.id ? scene : undefined)
    this.applyBeforeAfter()
  }

  private applyBeforeAfter() {
    const after = this.beforeAfter === 'after'
    // a variant shown stands in for the proposal's own massing and model
    const own = after && !this.variants.active
    this.overlays.setSchemeVisible(own)
    if (this.massing) this.massing.show = own
    this.variants.setVisible(after)
    if (this.tileset) styleBuildings(this.tileset, after && this.selected ? (this.selected.replaces ?? []) : [], this.highlightedId)
    this.widget.scene.requestRender()
  }

  setComments(comments: readonly Comment[], onSelect: (c: Comment) => void) {
    this.onSelectComment = onSelect
    this.overlays.setComments(comments)
  }

  setOpportunities(list: readonly Opportunity[], onSelect: (o: Opportunity) => void) {
    this.onSelectOpportunity = onSelect
    this.opportunities = list
    this.overlays.setOpportunities(withSiteLocations(list, this.proposals))
  }

  showImpactPoints(points: readonly ImpactMapPoint[] | undefined, onPick?: (index: number) => void) {
    this.impact.show(points, onPick)
  }

  showImpactZone(polygons: readonly ZonePolygon[] | undefined) {
    this.impact.showZone(polygons)
  }

  showImpactViews(views: readonly ViewOnMap[] | undefined) {
    this.impact.showViews(views)
  }

  outlineImpactScheme(blocks: readonly SchemeOutline[] | undefined) {
    this.impact.outlineScheme(blocks)
  }

  setHeatmap(cells: ProposalAnalytics['heatmap'] | undefined) {
    this.overlays.setHeatmap(cells)
  }

  pickPoint(): Promise<PickedPoint | undefined> {
    this.cancelPick()
    this.widget.canvas.style.cursor = 'crosshair'
    return new Promise((resolve) => {
      this.pendingPick = (p) => {
        this.widget.canvas.style.cursor = ''
        resolve(p)
      }
    })
  }

  cancelPick() {
    const pending = this.pendingPick
    this.pendingPick = undefined
    pending?.(undefined)
  }

  centrePoint(): PickedPoint | undefined {
    const canvas = this.widget.canvas
    return this.pickAt(new Cartesian2(canvas.clientWidth / 2, canvas.clientHeight / 2))
  }

  setDrawing(onClick: ((p: LonLat) => void) | undefined) {
    this.drawHandler = onClick
    this.widget.canvas.style.cursor = onClick ? 'crosshair' : ''
  }

  showDraft(state: EditorState | undefined) {
    this.overlays.showDraft(state)
  }
}

/** The height of a scheme's tallest block (0 without massing). */
function schemeHeight(p: ProposalSummary): number {
  const massing = (p as Partial<Proposal>).massing as { features?: { properties?: Record<string, unknown> | null }[] } | undefined
  const heights = (massing?.features ?? []).map((f) => Number(f.properties?.height_m) || 0)
  return Math.max(0, ...heights)
}

export async function createMapView(
  container: HTMLElement,
  creditContainer: HTMLElement,
  cfg: AppConfig,
  initialCamera?: CameraView,
): Promise<MapView> {
  const { widget, gate } = await createWidget(container, creditContainer, cfg)
  const view = new CesiumMapView(widget, cfg, initialCamera)
  view.gate = gate
  if (cfg.testHook) {
    window.__civictwin = { viewer: widget, tileset: undefined, ready: view.ready, mapView: view, variants: () => view.variants.state() }
  }
  return view
}
