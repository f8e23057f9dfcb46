/**
 * Runtime configuration: defaults, overridden by the backend's `/api/v1/config` when present,
 * and by URL parameters for testing (`?test=1`, `?test=full`, `?tileset=<url>`, `?shadows=0|1`).
 */
import type { Api, ClientConfig, TilesetInfo } from './api'

export const DEFAULT_TILESET_URL = 'tiles/london/tileset.json'

export interface ImageryConfig {
  type: 'naturalearth' | 'xyz' | 'wmts'
  url?: string
  layer?: string
  style?: string
  tileMatrixSet?: string
  format?: string
  maximumLevel?: number
  credit?: string
}

export interface AppConfig {
  /** `?test=1`: small, deterministic, cheap rendering for SwiftShader-driven tests */
  testMode: boolean
  /**
   * the test hook (`window.__civictwin`): with `?test=1`, and with `?test=full`, which keeps the
   * deployment's full rendering (soft shadows, MSAA, atmosphere) so a test can look at it
   */
  testHook: boolean
  imagery: ImageryConfig
  /** quantized-mesh terrain; undefined = ellipsoid */
  terrainUrl?: string
  tilesetUrl: string
  home?: { lon: number; lat: number; height: number }
  /** shadows on at start (off in test mode unless `?shadows=1`: SwiftShader pays double) */
  shadows: boolean
  /** the deployment's data attribution (OSM-derived buildings), shown under the map */
  attribution?: string
}

export function configFromUrl(search: string): Pick<AppConfig, 'testMode' | 'testHook'> & { tilesetUrl?: string; shadows?: boolean } {
  const params = new URLSearchParams(search)
  const tileset = params.get('tileset') ?? undefined
  const shadows = params.get('shadows')
  const test = params.get('test')
  return {
    testMode: test === '1',
    testHook: test === '1' || test === 'full',
    // only same-origin relative paths: a link must not point the viewer at another host
    tilesetUrl: tileset && /^\/?[A-Za-z0-9_\-./]+\.json$/.test(tileset) && !tileset.includes('..') ? tileset : undefined,
    shadows: shadows === null ? undefined : shadows === '1',
  }
}

export function mergeConfig(
  server: ClientConfig | undefined,
  tilesets: Pick<TilesetInfo, 'name' | 'tileset_url'>[],
  search: string,
): AppConfig {
  const url = configFromUrl(search)
  const im = server?.imagery
  const imagery: ImageryConfig =
    im && im.type !== 'natural-earth' && im.url
      ? { type: im.type, url: im.url, layer: im.layer ?? undefined, credit: im.credit || undefined }
      : { type: 'naturalearth' }
  const name = server?.default_tileset
  const preferred = tilesets.find((t) => t.name === name) ?? (name ? undefined : tilesets[0])
  return {
    testMode: url.testMode,
    testHook: url.testHook,
    imagery,
    terrainUrl: server?.terrain_url ?? undefined,
    tilesetUrl: url.tilesetUrl ?? relative(preferred?.tileset_url) ?? (name ? `tiles/${encodeURIComponent(name)}/tileset.json` : DEFAULT_TILESET_URL),
    home: server?.home ?? undefined,
    shadows: url.shadows ?? !url.testMode,
    attribution: server?.attribution || undefined,
  }
}

/** `/tiles/x/tileset.json` → `tiles/x/tileset.json`: resolved against the page, so a deployment under a sub-path works. */
function relative(u: string | undefined): string | undefined {
  if (!u) return undefined
  return u.startsWith('/') && !u.startsWith('//') ? u.slice(1) : u
}

/** Fetch server config and tileset list; a missing endpoint falls back to the defaults. */
export async function loadConfig(api: Api, search: string): Promise<AppConfig> {
  const [server, tilesets] = await Promise.all([
    api.config().catch(() => undefined),
    api.tilesets().catch(() => []),
  ])
  return mergeConfig(server, tilesets, search)
}
