// The import boundaries of DESIGN.md are eslint rules (eslint.config.js): these check that the
// rules are there and fire, on small sources linted as if they were files of each folder.
import { ESLint } from 'eslint'
import { describe, expect, it } from 'vitest'

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname })

async function problems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`)
}

// the first lint loads the TypeScript parser: seconds on a loaded machine
describe('import boundaries', { timeout: 60_000 }, () => {
  it('ui/ may import core, api, i18n and preact', async () => {
    const code = "import { h } from 'preact'\nimport { Api } from '../api'\nimport { buildingRows } from '../core/building'\nimport { I18n } from '../i18n'\nexport const x = [h, Api, buildingRows, I18n]\n"
    expect(await problems('src/ui/zz.ts', code)).toEqual([])
  })

  it('ui/ never imports cesium or viewer/, statically or dynamically', async () => {
    const code = "import { Viewer } from 'cesium'\nimport { createMapView } from '../viewer'\nexport const x = [Viewer, createMapView, import('../viewer/index')]\n"
    const found = await problems('src/ui/zz.ts', code)
    expect(found.filter((m) => m.startsWith('no-restricted-imports'))).toHaveLength(2)
    expect(found.filter((m) => m.startsWith('no-restricted-syntax'))).toHaveLength(1)
  })

  it('core/ imports neither ui/ nor viewer/ nor cesium nor preact', async () => {
    const code = "import { store } from '../ui/store'\nimport { FeatureHighlighter } from '../viewer/buildings'\nimport * as Cesium from 'cesium'\nimport { signal } from '@preact/signals'\nexport const y = [store, FeatureHighlighter, Cesium, signal]\n"
    expect(await problems('src/core/zz.ts', code)).toHaveLength(4)
  })

  it('viewer/ may import cesium and core/', async () => {
    const code = "import { Viewer } from 'cesium'\nimport type { MapView } from '../core/mapview'\nexport type V = [Viewer, MapView]\n"
    expect(await problems('src/viewer/zz.ts', code)).toEqual([])
  })

  it('the house style: no semicolons, single quotes', async () => {
    const found = await problems('src/core/zz.ts', 'export const s = "x";\n')
    expect(found.some((m) => m.startsWith('@stylistic/semi'))).toBe(true)
    expect(found.some((m) => m.startsWith('@stylistic/quotes'))).toBe(true)
  })
})
