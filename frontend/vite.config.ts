/**
 * Build config. Cesium is bundled from npm, but its static assets (web workers, third-party
 * wasm, Natural Earth II imagery, widget CSS) are copied as-is into `dist/cesium/` and
 * served from `/cesium/` in dev; `src/viewer/cesiumBase.ts` sets CESIUM_BASE_URL to match.
 * Nothing here reaches outside the deployment: no Cesium ion, no CDN.
 */
import { cpSync, createReadStream, existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vitest/config'

const here = path.dirname(fileURLToPath(import.meta.url))
const cesiumBuild = path.join(here, 'node_modules/cesium/Build/Cesium')
const cesiumStaticDirs = ['Workers', 'ThirdParty', 'Assets', 'Widgets']
const backend = process.env.CIVICTWIN_BACKEND ?? 'http://127.0.0.1:8000'

const mimeTypes: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.jpg': 'image/jpeg',
  '.png': 'image/png',
  '.xml': 'application/xml',
  '.svg': 'image/svg+xml',
}

/** Copy Cesium's static assets at build time; serve them from node_modules in dev. */
function cesiumStatic(): Plugin {
  let outDir = path.join(here, 'dist')
  return {
    name: 'civictwin-cesium-static',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir)
    },
    configureServer(server) {
      server.middlewares.use('/cesium', (req, res, next) => {
        const rel = decodeURIComponent((req.url ?? '/').split('?')[0])
        const file = path.join(cesiumBuild, path.normalize(rel))
        if (!file.startsWith(cesiumBuild) || !existsSync(file) || !statSync(file).isFile()) {
          next()
          return
        }
        res.setHeader('Content-Type', mimeTypes[path.extname(file)] ?? 'application/octet-stream')
        createReadStream(file).pipe(res)
      })
    },
    writeBundle() {
      for (const dir of cesiumStaticDirs) {
        cpSync(path.join(cesiumBuild, dir), path.join(outDir, 'cesium', dir), { recursive: true })
      }
    },
  }
}

/**
 * `<link rel="modulepreload">` for the 3D view's chunks (the app's viewer and Cesium), so the
 * browser fetches and compiles them while it is still running the small entry chunk; `main.ts`
 * imports them dynamically, which Vite preloads only once the import runs.
 */
function preloadViewer(): Plugin {
  return {
    name: 'civictwin-preload-viewer',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, ctx) {
        const chunks = Object.values(ctx.bundle ?? {}).filter(
          (c) => c.type === 'chunk' && (c.name === 'cesium' || (c.facadeModuleId ?? '').replace(/\\/g, '/').endsWith('/src/viewer/index.ts')),
        )
        return chunks.map((c) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: '', href: `./${c.fileName}` }, injectTo: 'head' as const }))
      },
    },
  }
}

export default defineConfig({
  // Relative base: dist/ works wherever the backend mounts it.
  base: './',
  plugins: [cesiumStatic(), preloadViewer()],
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/tiles': { target: backend },
      '/ogc': { target: backend },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 6000,
    rolldownOptions: {
      output: {
        // Cesium in its own chunk so the app's own size can be measured apart from it.
        codeSplitting: {
          groups: [{ name: 'cesium', test: /node_modules[\\/](cesium|@cesium)[\\/]/ }],
        },
      },
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
