// Must run before Cesium resolves any asset URL: Cesium's workers, wasm and imagery are copied
// to `<app>/cesium/` by the build (see vite.config.ts).
declare global {
  interface Window {
    CESIUM_BASE_URL?: string
  }
}
window.CESIUM_BASE_URL = new URL('cesium/', document.baseURI).href
export {}
