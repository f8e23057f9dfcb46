/**
 * Runtime configuration: defaults, overridden by the backend's `/api/v1/config` when present,
 * and by URL parameters for testing (`?test=1`, `?tileset=<url>`).
 */
import type { Api, ClientConfig } from './api'

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
  imagery: ImageryConfig
  /** quantized-mesh terrain; undefined = ellipsoid */
  terrainUrl?: string
  tilesetUrl: string
  home?: { lon: number; lat: number; height: number }
  /** shadows on at start (off in test mode unless `?shadows=1`: SwiftShader pays double) */
  shadows: boolean
}

export function configFromUrl(search: string): Pick<AppConfig, 'testMode'> & { tilesetUrl?: string; shadows?: boolean } {
  const params = new URLSearchParams(search)
  const tileset = params.get('tileset') ?? undefined
  const shadows = params.get('shadows')
  return {
    testMode: params.get('test') === '1',
    // only same-origin relative paths: a link must not point the viewer at another host
    tilesetUrl: tileset && /^\/?[A-Za-z0-9_\-./]+\.json$/.test(tileset) && !tileset.includes('..') ? tileset : undefined,
    shadows: shadows === null ? undefined : shadows === '1',
  }
}

export function mergeConfig(server: ClientConfig | undefined, tilesets: { url: string; name: string }[], search: string): AppConfig {
  const url = configFromUrl(search)
  const imagery: ImageryConfig = server?.imagery
    ? {
        type: server.imagery.type,
        url: server.imagery.url,
        layer: server.imagery.layer,
        style: server.imagery.style,
        tileMatrixSet: server.imagery.tile_matrix_set,
        format: server.imagery.format,
        maximumLevel: server.imagery.maximum_level,
        credit: server.imagery.credit,
      }
    : { type: 'naturalearth' }
  const preferred = tilesets.find((t) => t.name === server?.default_tileset) ?? tilesets[0]
  return {
    testMode: url.testMode,
    imagery,
    terrainUrl: server?.terrain_url ?? undefined,
    tilesetUrl: url.tilesetUrl ?? preferred?.url ?? DEFAULT_TILESET_URL,
    home: server?.home ?? undefined,
    shadows: url.shadows ?? !url.testMode,
  }
}

/** Fetch server config and tileset list; a missing endpoint falls back to the defaults. */
export async function loadConfig(api: Api, search: string): Promise<AppConfig> {
  const [server, tilesets] = await Promise.all([
    api.config().catch(() => undefined),
    api.tilesets().catch(() => []),
  ])
  return mergeConfig(server, tilesets, search)
}
