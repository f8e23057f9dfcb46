/**
 * The engine-neutral contract between the UI and the 3D view. `src/viewer/` implements it with
 * Cesium; the UI only sees this interface, so panels work (and are tested) without WebGL, and a
 * failed WebGL start leaves a fully usable list-and-form app.
 */
import type { Comment, Opportunity, Proposal, ProposalAnalytics, ProposalSummary } from '../api/types'
import type { EditorState } from './editor'
import type { ImpactMapPoint, ViewOnMap, ZonePolygon } from './impact'
import type { VariantScene } from './variants'
import type { CameraView, LonLat, LonLatHeight } from './geo'

export type BBox = [west: number, south: number, east: number, north: number]

/** Properties of one building feature, read from the tileset's metadata. */
export type BuildingProperties = Record<string, string | number | boolean | null>

export interface PickedPoint {
  point: LonLatHeight
  building?: BuildingProperties
  camera: CameraView
}

export type BeforeAfter = 'before' | 'after'

/** One block of a scheme to outline: its footprint's rings (lon/lat) from `base` to `top` (m). */
export interface SchemeOutline {
  rings: LonLat[][]
  base: number
  top: number
}

export interface MapView {
  /** resolves once the city tileset has loaded all tiles for the first view */
  readonly ready: Promise<void>
  getCamera(): CameraView
  setCamera(view: CameraView): void
  flyTo(view: CameraView): void
  flyToProposal(p: ProposalSummary): void
  /** fly to show a lon/lat box from above at an angle */
  flyToBounds(bbox: BBox): void
  /** the ground area in view (clipped to a few km around the centre), for the buildings list */
  viewBounds(): BBox | undefined
  onCameraChanged(fn: (view: CameraView) => void): () => void
  onBuildingSelected(fn: (props: BuildingProperties | undefined) => void): void
  /** sun position and shadows */
  setTime(date: Date): void
  setShadows(on: boolean): void
  showProposals(list: readonly ProposalSummary[], onSelect: (p: ProposalSummary) => void): void
  /** show the scheme in place: massing tileset (or extrusions) and glb model; hide what it replaces */
  selectProposal(p: Proposal | undefined): void
  /** mark one city building selected (from the non-3D list); undefined clears */
  highlightBuilding(buildingId: string | undefined): void
  setBeforeAfter(mode: BeforeAfter): void
  setComments(comments: readonly Comment[], onSelect: (c: Comment) => void): void
  setOpportunities(list: readonly Opportunity[], onSelect: (o: Opportunity) => void): void
  setHeatmap(cells: ProposalAnalytics['heatmap'] | undefined): void
  /** capture the next click on the 3D view (building, scheme or ground); undefined if cancelled */
  pickPoint(): Promise<PickedPoint | undefined>
  cancelPick(): void
  /** the point at the centre of the view (non-pointer way to anchor a comment) */
  centrePoint(): PickedPoint | undefined
  setDrawing(onClick: ((p: LonLat) => void) | undefined): void
  showDraft(state: EditorState | undefined): void
  // the map controls and the building card (ui/mapcontrols.ts, ui/buildingcard.ts)
  /** zoom towards (1) or away from (-1) the centre of the view by a step that scales with height */
  zoomBy?(direction: 1 | -1): void
  /** back to the first view of the whole city */
  goHome?(): void
  /** turn to face north, keeping the point looked at */
  faceNorth?(): void
  /** where a point is on the view's canvas (CSS pixels from its top left), undefined if behind */
  toScreen?(point: LonLatHeight): { x: number; y: number } | undefined
  /**
   * input first: no 3D frame for up to `ms` while the panel answers a click or a key (a frame
   * costs up to a second without a GPU); `releaseFrames` once the answer is painted
   */
  holdFrames?(ms: number): void
  releaseFrames?(): void
  /** called after every frame drawn (the camera moved, tiles loaded); returns the remover */
  onFrame?(fn: () => void): () => void
  /** a click on a building: the point clicked with the building, or undefined for none */
  onBuildingPicked?(fn: (pick: PickedPoint | undefined) => void): void
  /** an impact study's coloured points (façades, ground, visibility); undefined clears (issue 13) */
  showImpactPoints?(points: readonly ImpactMapPoint[] | undefined, onPick?: (index: number) => void): void
  /** the zone of theoretical visibility draped on the ground, a colour per band; undefined clears */
  showImpactZone?(polygons: readonly ZonePolygon[] | undefined): void
  /** the protected views: each eye, its line of sight to the target, its result; undefined clears */
  showImpactViews?(views: readonly ViewOnMap[] | undefined): void
  /** a scheme's blocks outlined (seen through what stands before them), as when looking along a
   * protected view; undefined clears (issue 13) */
  outlineImpactScheme?(blocks: readonly SchemeOutline[] | undefined): void
  /**
   * a proposal's design variants in place of its massing: one, or two split at a divider in the
   * one scene (issue 14); undefined (or another proposal's) shows the proposal's own again
   */
  showVariants?(scene: VariantScene | undefined): void
}
