/**
 * Runtime configuration: defaults, overridden by the backend's `/api/v1/config` when present,
 * and by URL parameters for testing (`?test=1`, `?test=full`, `?tileset=<url>`, `?shadows=0|1`,
 * `?light=0|1`).
 */
import type { Api, ClientConfig, TilesetInfo } from './api'
import { isSoftwareRenderer, isTimeZone } from './core/sun'

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
  /** IANA time zone of the sites: the sun study's clock times are read there */
  timeZone: string
  /**
   * light rendering (no MSAA, atmosphere, lighting or HDR; shadows off at start): with `?test=1`,
   * `?light=1`, or by itself on a software WebGL renderer (no GPU), unless `?light=0` or `?test=full`
   */
  light: boolean
}

export const DEFAULT_TIME_ZONE = 'Europe/London'

export function configFromUrl(search: string): Pick<AppConfig, 'testMode' | 'testHook'> & { tilesetUrl?: string; shadows?: boolean; light?: boolean } {
  const params = new URLSearchParams(search)
  const tileset = params.get('tileset') ?? undefined
  const shadows = params.get('shadows')
  const test = params.get('test')
  const light = params.get('light')
  return {
    testMode: test === '1',
    testHook: test === '1' || test === 'full',
    // only same-origin relative paths: a link must not point the viewer at another host
    tilesetUrl: tileset && /^\/?[A-Za-z0-9_\-./]+\.json$/.test(tileset) && !tileset.includes('..') ? tileset : undefined,
    shadows: shadows === null ? undefined : shadows === '1',
    light: test === '1' || light === '1' ? true : test === 'full' || light === '0' ? false : undefined,
  }
}

export function mergeConfig(
  server: ClientConfig | undefined,
  tilesets: Pick<TilesetInfo, 'name' | 'tileset_url'>[],
  search: string,
  /** the WebGL renderer string (see `viewer/gpu.ts`), to choose light rendering without a GPU */
  renderer?: string,
): AppConfig {
  const url = configFromUrl(search)
  const light = url.light ?? isSoftwareRenderer(renderer)
  const zone = server?.time_zone
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
    shadows: url.shadows ?? !light,
    attribution: server?.attribution || undefined,
    timeZone: zone && isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE,
    light,
  }
}

/** `/tiles/x/tileset.json` → `tiles/x/tileset.json`: resolved against the page, so a deployment under a sub-path works. */
function relative(u: string | undefined): string | undefined {
  if (!u) return undefined
  return u.startsWith('/') && !u.startsWith('//') ? u.slice(1) : u
}

/** Fetch server config and tileset list; a missing endpoint falls back to the defaults. */
export async function loadConfig(api: Api, search: string, renderer?: string): Promise<AppConfig> {
  const [server, tilesets] = await Promise.all([
    api.config().catch(() => undefined),
    api.tilesets().catch(() => []),
  ])
  return mergeConfig(server, tilesets, search, renderer)
}
