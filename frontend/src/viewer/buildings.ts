/**
 * The city tileset: load, hover highlight, click to read a building's properties from its
 * 3D Tiles 1.1 metadata (EXT_structural_metadata property table, EXT_mesh_features ids), and
 * hide the buildings a scheme replaces (before/after).
 */
import { Cesium3DTileFeature, Cesium3DTileset, Cesium3DTileStyle, Color, type CesiumWidget } from 'cesium'
import type { BuildingProperties } from '../core/mapview'

/** The feature properties the tiles pipeline writes; anything else present is shown too. */
export const BUILDING_PROPERTIES = [
  'building_id',
  'source_id',
  'name',
  'address',
  'building_type',
  'height_m',
  'base_height_m',
  'levels',
  'height_source',
  'dataset',
] as const

const HOVER_COLOUR = Color.fromCssColorString('#ffd54a')
const SELECTED_COLOUR = Color.fromCssColorString('#4fc3f7')

export function featureProperties(feature: Cesium3DTileFeature): BuildingProperties {
  const props: BuildingProperties = {}
  const ids = new Set<string>([...BUILDING_PROPERTIES, ...feature.getPropertyIds()])
  for (const id of ids) {
    const value: unknown = feature.getProperty(id)
    if (value === undefined) continue
    if (typeof value === 'bigint') props[id] = Number(value)
    else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) props[id] = value as string | number | boolean | null
    else props[id] = String(value)
  }
  return props
}

/**
 * The city's buildings. `collision` keeps the camera out of them: Cesium then picks the tileset
 * under the camera on every frame, even frames it does not draw, and on WebGL 2 reads the picked
 * tiles' vertex buffers back from the GPU to do so (`getBufferSubData`). Without a GPU that costs
 * 30-70 ms per frame, which every panel click waited for (issue 11, bench_frontend --panels), so
 * the light mode goes without it: the globe's own collision still keeps the camera above ground.
 */
export async function loadCityTileset(widget: CesiumWidget, url: string, collision: boolean): Promise<Cesium3DTileset> {
  const tileset = await Cesium3DTileset.fromUrl(url, { enableCollision: collision })
  widget.scene.primitives.add(tileset)
  return tileset
}

/**
 * Resolves once every tile the current view needs is loaded (`tileset.tilesLoaded`, which
 * `allTilesLoaded` announces). In request-render mode nothing updates without a frame, so keep
 * asking for frames until then; a view that needs no tiles counts as loaded after one frame.
 */
export function allTilesLoaded(widget: CesiumWidget, tileset: Cesium3DTileset): Promise<void> {
  return new Promise((resolve) => {
    let frames = 0
    const done = () => {
      removeEvent()
      removeFrame()
      clearInterval(timer)
      resolve()
    }
    const removeEvent = tileset.allTilesLoaded.addEventListener(done)
    const removeFrame = widget.scene.postRender.addEventListener(() => {
      frames += 1
      if (frames > 2 && tileset.tilesLoaded) done()
    })
    const timer = setInterval(() => widget.scene.requestRender(), 100)
    widget.scene.requestRender()
  })
}

/**
 * Keep frames coming until a (small) tileset's root content is drawn. `tilesLoaded` alone is not
 * enough: it is also true when no request was made yet (the tile was outside the view, or the
 * request was refused by Cesium's per-server throttle while the city loads and never retried,
 * because request-render mode draws no further frame). Gives up after `timeoutMs` (a scheme the
 * camera never looks at loads when the camera moves there).
 */
export function untilRootDrawn(widget: CesiumWidget, tileset: Cesium3DTileset, timeoutMs = 30_000): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now()
    // both flags are public on Cesium3DTile, missing from its typings
    const root = () => tileset.root as unknown as { contentReady: boolean; hasRenderableContent: boolean }
    const drawn = () => !tileset.isDestroyed() && tileset.tilesLoaded && (!root().hasRenderableContent || root().contentReady)
    const timer = setInterval(() => {
      if (tileset.isDestroyed() || drawn() || Date.now() - started > timeoutMs) {
        clearInterval(timer)
        resolve(!tileset.isDestroyed() && drawn())
        return
      }
      widget.scene.requestRender()
    }, 100)
    widget.scene.requestRender()
  })
}

/** Highlight state: one hovered, one selected feature; colours restored when they change. */
export class FeatureHighlighter {
  private hovered?: Cesium3DTileFeature
  private selected?: Cesium3DTileFeature

  constructor(private readonly widget: CesiumWidget) {}

  hover(feature: Cesium3DTileFeature | undefined) {
    if (feature === this.hovered) return
    if (this.hovered && this.hovered !== this.selected) this.paint(this.hovered, undefined)
    this.hovered = feature
    if (feature && feature !== this.selected) this.paint(feature, HOVER_COLOUR)
    this.widget.scene.requestRender()
  }

  select(feature: Cesium3DTileFeature | undefined) {
    if (this.selected && this.selected !== feature) this.paint(this.selected, undefined)
    this.selected = feature
    if (feature) this.paint(feature, SELECTED_COLOUR)
    this.widget.scene.requestRender()
  }

  private paint(feature: Cesium3DTileFeature, colour: Color | undefined) {
    try {
      feature.color = colour ?? Color.WHITE
    } catch {
      /* the tile was unloaded since */
    }
  }
}

/**
 * One style for the city: hide the buildings a scheme replaces (before/after) and colour the
 * building chosen in the non-3D list. No ids and no highlight: no style at all (fastest).
 */
export function styleBuildings(tileset: Cesium3DTileset, hiddenIds: readonly string[], highlightId?: string) {
  if (hiddenIds.length === 0 && !highlightId) {
    tileset.style = undefined
    return
  }
  const show: [string, string][] = hiddenIds.map((id) => [`\${building_id} === ${JSON.stringify(String(id))}`, 'false'])
  show.push(['true', 'true'])
  const color = highlightId
    ? { conditions: [[`\${building_id} === ${JSON.stringify(highlightId)}`, "color('#4fc3f7')"], ['true', "color('white')"]] }
    : undefined
  tileset.style = new Cesium3DTileStyle({ show: { conditions: show }, ...(color ? { color } : {}) })
}
