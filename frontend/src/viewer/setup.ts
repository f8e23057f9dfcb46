/** Create the Cesium widget: offline imagery, terrain, render settings per mode. */
import './cesiumBase'
import {
  buildModuleUrl,
  CesiumTerrainProvider,
  CesiumWidget,
  Credit,
  EllipsoidTerrainProvider,
  ImageryLayer,
  Ion,
  ShadowMode,
  TileMapServiceImageryProvider,
  UrlTemplateImageryProvider,
  WebMapTileServiceImageryProvider,
  type ImageryProvider,
} from 'cesium'
import type { AppConfig, ImageryConfig } from '../config'
import { FrameGate } from './framegate'

// No Cesium ion: nothing may leave the deployment by default.
Ion.defaultAccessToken = ''

async function imageryProvider(cfg: ImageryConfig): Promise<ImageryProvider> {
  const credit = cfg.credit ? new Credit(cfg.credit, true) : undefined
  if (cfg.type === 'xyz' && cfg.url) {
    return new UrlTemplateImageryProvider({ url: cfg.url, maximumLevel: cfg.maximumLevel, credit })
  }
  if (cfg.type === 'wmts' && cfg.url) {
    return new WebMapTileServiceImageryProvider({
      url: cfg.url,
      layer: cfg.layer ?? '',
      style: cfg.style ?? 'default',
      tileMatrixSetID: cfg.tileMatrixSet ?? 'GoogleMapsCompatible',
      format: cfg.format ?? 'image/png',
      maximumLevel: cfg.maximumLevel,
      credit,
    })
  }
  // Natural Earth II, shipped inside the cesium package and copied next to the app.
  return TileMapServiceImageryProvider.fromUrl(buildModuleUrl('Assets/Textures/NaturalEarthII'))
}

/**
 * Sun-study shadows. The diagonal band seen on the ground came from shadow acne on the globe: a
 * 2 km shadow range spread over the default 1024² map leaves each texel ~2 m wide at the far
 * cascade, and the ellipsoid (flat, lit at a grazing angle in winter) self-shadows in stripes
 * across it. A shorter range (what a street-level sun study looks at), a bigger map, normal offset
 * and fading at the far edge keep the ground clean; the globe only receives shadows, never casts.
 *
 * Roofs and walls had the same acne (fine stripes on every lit face beyond ~100 m, worst with a
 * low winter sun): Cesium's bias for models (normal offset 0.1 m, depth bias 2e-5) suits a model
 * close to the camera, while over a 1.2 km range the farther cascades have texels about a metre
 * wide. So the shadow lookup moves about one such texel along the face's normal (scaled by
 * 1 - N·L in Cesium's shader: nothing on faces square to the sun, the most on grazing ones) and
 * the depth bias is ten times the default; shadows still meet the walls that cast them (checked on
 * screenshots at street level in summer and winter). CesiumJS has no public option for the bias:
 * it lives in the shadow map's `_primitiveBias`, so set it only when that object is there.
 */
export const MODEL_SHADOW_BIAS = { normalOffsetScale: 1.0, depthBias: 0.0002 }

export function configureShadows(widget: CesiumWidget, light: boolean) {
  const sm = widget.scene.shadowMap
  sm.maximumDistance = 1200
  sm.size = light ? 1024 : 2048
  sm.softShadows = !light // PCF filtering costs a lot on SwiftShader
  sm.normalOffset = true
  sm.fadingEnabled = true
  sm.darkness = 0.35
  const bias = (sm as unknown as { _primitiveBias?: Record<string, unknown> })._primitiveBias
  if (bias && typeof bias.normalOffsetScale === 'number' && typeof bias.depthBias === 'number') {
    Object.assign(bias, MODEL_SHADOW_BIAS)
  }
  widget.scene.globe.shadows = ShadowMode.RECEIVE_ONLY
}

export async function createWidget(
  container: HTMLElement,
  creditContainer: HTMLElement,
  cfg: AppConfig,
): Promise<{ widget: CesiumWidget; gate: FrameGate }> {
  // light rendering for tests and for browsers without a GPU (software WebGL): every frame costs
  // seconds there, so no MSAA, atmosphere, fog, lighting or HDR, and cheaper shadows
  const light = cfg.light
  const terrainProvider = cfg.terrainUrl
    ? await CesiumTerrainProvider.fromUrl(cfg.terrainUrl).catch(() => new EllipsoidTerrainProvider())
    : new EllipsoidTerrainProvider()
  const widget = new CesiumWidget(container, {
    baseLayer: ImageryLayer.fromProviderAsync(imageryProvider(cfg.imagery)),
    terrainProvider,
    creditContainer,
    shadows: cfg.shadows,
    msaaSamples: light ? 1 : 4,
    requestRenderMode: true,
    maximumRenderTimeChange: Infinity,
    // our loop (framegate.ts) draws the frames, so that a panel's answer is painted first
    useDefaultRenderLoop: false,
    skyBox: light ? false : undefined,
    skyAtmosphere: light ? false : undefined,
    scene3DOnly: true,
    showRenderLoopErrors: !cfg.testMode,
    contextOptions: { webgl: { preserveDrawingBuffer: cfg.testHook } },
  })
  const scene = widget.scene
  scene.globe.depthTestAgainstTerrain = true
  if (light) {
    scene.fog.enabled = false
    scene.globe.showGroundAtmosphere = false
    scene.globe.enableLighting = false
    scene.highDynamicRange = false
    widget.resolutionScale = 1
  } else {
    scene.globe.enableLighting = true
  }
  configureShadows(widget, light)
  // The canvas is operable from the keyboard (see keyboard.ts): make it a focus stop.
  widget.canvas.tabIndex = 0
  const gate = new FrameGate(widget, (err) => {
    console.error('3D view stopped: a frame failed', err)
    if (!cfg.testMode) widget.showErrorPanel('The 3D view stopped', 'A frame failed to draw.', String(err))
  })
  return { widget, gate }
}
