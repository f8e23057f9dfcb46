import { describe, expect, it } from 'vitest'
import { configFromUrl, DEFAULT_TILESET_URL, DEFAULT_TIME_ZONE, mergeConfig } from './config'

describe('config', () => {
  it('defaults to offline Natural Earth imagery, ellipsoid terrain and the demo tileset', () => {
    const cfg = mergeConfig(undefined, [], '')
    expect(cfg.imagery.type).toBe('naturalearth')
    expect(cfg.terrainUrl).toBeUndefined()
    expect(cfg.tilesetUrl).toBe(DEFAULT_TILESET_URL)
    expect(cfg.shadows).toBe(true)
  })

  it('uses the server config and its default tileset', () => {
    const cfg = mergeConfig(
      {
        imagery: { type: 'xyz', url: '/basemap/{z}/{x}/{y}.png', credit: 'Local' },
        terrain_url: '/terrain',
        default_tileset: 'b',
        home: { lon: 0, lat: 51, height: 900 },
        attribution: '© OSM',
        time_zone: 'Europe/Tallinn',
      },
      [
        { name: 'a', tileset_url: '/tiles/a/tileset.json' },
        { name: 'b', tileset_url: '/tiles/b/tileset.json' },
      ],
      '',
    )
    expect(cfg.imagery).toMatchObject({ type: 'xyz', url: '/basemap/{z}/{x}/{y}.png', credit: 'Local' })
    expect(cfg.terrainUrl).toBe('/terrain')
    expect(cfg.tilesetUrl).toBe('tiles/b/tileset.json')
    expect(cfg.attribution).toBe('© OSM')
    expect(cfg.timeZone).toBe('Europe/Tallinn')
  })

  it('reads sun-study times in London unless the deployment names a zone the browser knows', () => {
    expect(mergeConfig(undefined, [], '').timeZone).toBe(DEFAULT_TIME_ZONE)
    const server = { imagery: { type: 'natural-earth' as const, credit: '' }, default_tileset: 'x', home: { lon: 0, lat: 0, height: 1 }, attribution: '' }
    expect(mergeConfig({ ...server, time_zone: 'Europe/Atlantis' }, [], '').timeZone).toBe(DEFAULT_TIME_ZONE)
    expect(mergeConfig({ ...server, time_zone: 'Europe/Budapest' }, [], '').timeZone).toBe('Europe/Budapest')
  })

  it('draws light without a GPU (software WebGL), with shadows off at start, unless told otherwise', () => {
    const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)'
    expect(mergeConfig(undefined, [], '', swiftshader)).toMatchObject({ light: true, shadows: false, testHook: false })
    expect(mergeConfig(undefined, [], '', 'ANGLE (NVIDIA GeForce RTX 3060)')).toMatchObject({ light: false, shadows: true })
    expect(mergeConfig(undefined, [], '?light=0', swiftshader)).toMatchObject({ light: false, shadows: true })
    expect(mergeConfig(undefined, [], '?light=1', 'Apple M2').light).toBe(true)
    // ?test=full looks at the deployment's full rendering even on SwiftShader
    expect(mergeConfig(undefined, [], '?test=full', swiftshader)).toMatchObject({ light: false, shadows: true })
    expect(mergeConfig(undefined, [], '?test=1').light).toBe(true)
  })

  it('keeps offline imagery for natural-earth and finds the default tileset by name before it is listed', () => {
    const cfg = mergeConfig(
      { imagery: { type: 'natural-earth', credit: 'NE' }, default_tileset: 'paris', home: { lon: 2, lat: 48, height: 900 }, attribution: '', time_zone: 'Europe/Paris' },
      [],
      '',
    )
    expect(cfg.imagery.type).toBe('naturalearth')
    expect(cfg.tilesetUrl).toBe('tiles/paris/tileset.json')
  })

  it('test mode turns shadows off unless asked, and only accepts same-origin tileset paths', () => {
    expect(mergeConfig(undefined, [], '?test=1')).toMatchObject({ testMode: true, shadows: false })
    expect(mergeConfig(undefined, [], '?test=1&shadows=1').shadows).toBe(true)
    expect(mergeConfig(undefined, [], '')).toMatchObject({ testMode: false, testHook: false })
    // full rendering (shadows on) with the test hook, for tests that look at the real picture
    expect(mergeConfig(undefined, [], '?test=full')).toMatchObject({ testMode: false, testHook: true, shadows: true })
    expect(configFromUrl('?tileset=/tiles/x/tileset.json').tilesetUrl).toBe('/tiles/x/tileset.json')
    expect(configFromUrl('?tileset=https://evil.example/t.json').tilesetUrl).toBeUndefined()
    expect(configFromUrl('?tileset=../../etc/tileset.json').tilesetUrl).toBeUndefined()
  })
})
