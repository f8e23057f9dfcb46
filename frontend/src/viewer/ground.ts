/**
 * The ground layer beside the city tileset (`<city>/ground/`, written by `tiles build --ground`):
 * streets, paths, squares, water, green and rail as flat meshes a few centimetres up, and street
 * and place names as labels, each shown up to its own distance (`max_distance_m` in
 * `labels.json`), so districts and the river read from afar and lanes only close up.
 * A city built without a ground layer simply has none: nothing is shown and nothing fails.
 */
import {
  Cartesian2,
  Cartesian3,
  Cesium3DTileset,
  Color,
  DistanceDisplayCondition,
  LabelCollection,
  LabelStyle,
  NearFarScalar,
  ShadowMode,
  VerticalOrigin,
  type CesiumWidget,
} from 'cesium'

export interface LabelFeature {
  geometry: { coordinates: [number, number, number] }
  properties: { name: string; class: string; kind: string; max_distance_m: number }
}

export interface GroundLayer {
  tileset: Cesium3DTileset
  labels: LabelCollection
}

/** Label look per class: districts and water larger, streets in the map's usual dark grey. */
const LABEL_STYLE: Record<string, { font: string; fill: string }> = {
  place: { font: '600 17px sans-serif', fill: '#3a2f4a' },
  water: { font: 'italic 600 16px sans-serif', fill: '#1f4e79' },
  green: { font: 'italic 14px sans-serif', fill: '#2e5e2a' },
  square: { font: '13px sans-serif', fill: '#4a3f30' },
  street: { font: '13px sans-serif', fill: '#2b2b2b' },
}

/** `…/london/tileset.json` → `…/london/ground/<file>` (query strings kept off). */
export function groundUrl(cityTilesetUrl: string, file: string): string {
  const base = cityTilesetUrl.split('?')[0]
  return base.replace(/tileset\.json$/, `ground/${file}`)
}

/** Load the ground tileset and its labels; undefined when the city has no ground layer. */
export async function loadGround(widget: CesiumWidget, cityTilesetUrl: string): Promise<GroundLayer | undefined> {
  const response = await fetch(groundUrl(cityTilesetUrl, 'tileset.json'), { method: 'HEAD' }).catch(() => undefined)
  if (!response?.ok) return undefined
  const tileset = await Cesium3DTileset.fromUrl(groundUrl(cityTilesetUrl, 'tileset.json'), {
    // buildings' shadows fall on the streets; the flat ground casts none
    shadows: ShadowMode.RECEIVE_ONLY,
  })
  widget.scene.primitives.add(tileset)
  const labels = widget.scene.primitives.add(new LabelCollection({ scene: widget.scene })) as LabelCollection
  try {
    const doc = (await (await fetch(groundUrl(cityTilesetUrl, 'labels.json'))).json()) as { features: LabelFeature[] }
    addLabels(labels, doc.features)
  } catch (err) {
    console.warn('ground labels failed to load', err)
  }
  return { tileset, labels }
}

/** Labels shrink from their full size at this distance (or half their own range, if shorter). */
const SCALE_FROM_M = 150

/**
 * Every label of `features`, each shown up to its own distance. One bad feature is skipped, never
 * the rest: Cesium throws for a label whose scaling range ends before it starts, which once lost
 * every label after the first lane shown only within 150 m (61 of the City's 513).
 */
export function addLabels(labels: LabelCollection, features: readonly LabelFeature[]): number {
  let added = 0
  for (const f of features) {
    try {
      labels.add(labelOptions(f))
      added += 1
    } catch (err) {
      console.warn('ground label skipped', f.properties?.name, err)
    }
  }
  return added
}

export function labelOptions(f: LabelFeature) {
  const [lon, lat, h] = f.geometry.coordinates
  const p = f.properties
  const style = LABEL_STYLE[p.class] ?? LABEL_STYLE.street
  const far = Math.max(p.max_distance_m, 100)
  return {
    position: Cartesian3.fromDegrees(lon, lat, h + 2),
    text: p.name,
    font: style.font,
    fillColor: Color.fromCssColorString(style.fill),
    outlineColor: Color.WHITE.withAlpha(0.85),
    outlineWidth: 3,
    style: LabelStyle.FILL_AND_OUTLINE,
    verticalOrigin: VerticalOrigin.BOTTOM,
    pixelOffset: new Cartesian2(0, -2),
    distanceDisplayCondition: new DistanceDisplayCondition(0, far),
    scaleByDistance: new NearFarScalar(Math.min(SCALE_FROM_M, far / 2), 1.0, far, 0.7),
  }
}
