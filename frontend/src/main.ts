/**
 * Entry point: render the accessible app at once, then start the 3D view (Cesium is loaded
 * lazily in its own chunk, so lists and forms work even before, or without, WebGL).
 */
import { Api } from './api'
import { loadConfig } from './config'
import { webglRenderer } from './viewer/gpu'
import { I18n, initialLocale } from './i18n'
import { App } from './ui/app'
import './styles.css'

function storedLocale(): string | null {
  try {
    return localStorage.getItem('civictwin.lang')
  } catch {
    return null
  }
}

async function main() {
  // Fetch and evaluate the 3D view's chunks (Cesium is ~1 MB gzip) while the config and the
  // panels load, not after: the city is on the critical path, the config round trip is not.
  const viewerModule = import('./viewer')
  viewerModule.catch(() => undefined) // reported below, once awaited
  const api = new Api()
  const i18n = new I18n(initialLocale(location.search, storedLocale(), navigator.languages))
  const configPromise = loadConfig(api, location.search, webglRenderer())
  const host = document.getElementById('app')!
  const cfg = await configPromise
  if (cfg.testMode) document.documentElement.classList.add('test-mode')
  if (cfg.light) document.documentElement.classList.add('light-mode')
  const app = new App(api, i18n, host, { shadows: cfg.shadows, hash: location.hash, timeZone: cfg.timeZone })
  app.attribution = cfg.attribution
  const started = app.start()
  // without a GPU the 3D view drew itself light: say so (not in tests, which ask for it)
  if (cfg.light && !cfg.testMode) app.announce(i18n.t('app.lightMode'))
  try {
    const { createMapView } = await viewerModule
    const map = await createMapView(app.mapEl, app.creditsEl, cfg, app.initialCamera)
    app.attachMap(map)
    map.ready.catch(() => app.showMapMessage('app.cityFailed', 'error'))
  } catch (err) {
    console.error('3D view failed to start', err)
    app.showMapMessage('app.noWebgl', 'error')
  }
  await started
}

void main()
