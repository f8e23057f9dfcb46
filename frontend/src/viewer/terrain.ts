/**
 * The city's terrain (`<city>/terrain/layer.json` + quantized-mesh tiles, written by
 * `tiles build --dem`): the globe takes its shape, so buildings built on the same terrain stand
 * on it. Served beside the tileset by the backend (offline, no Cesium ion). A city built without
 * a DEM has none: the globe stays the ellipsoid and nothing fails.
 */
import { CesiumTerrainProvider, type CesiumWidget } from 'cesium'

/** `…/london/tileset.json` → `…/london/terrain/` (query strings kept off). */
export function terrainUrl(cityTilesetUrl: string): string {
  const base = cityTilesetUrl.split('?')[0]
  return base.replace(/tileset\.json$/, 'terrain/')
}

/** Use the city's terrain on the globe when it has one; resolves whether it did. */
export async function loadTerrain(widget: CesiumWidget, cityTilesetUrl: string): Promise<boolean> {
  const url = terrainUrl(cityTilesetUrl)
  const response = await fetch(`${url}layer.json`, { method: 'HEAD' }).catch(() => undefined)
  if (!response?.ok) return false
  const provider = await CesiumTerrainProvider.fromUrl(url, { requestVertexNormals: false, requestWaterMask: false })
  widget.scene.terrainProvider = provider
  return true
}
