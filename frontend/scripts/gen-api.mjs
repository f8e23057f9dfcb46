#!/usr/bin/env node
// Generate src/api/schema.d.ts from the backend's OpenAPI document.
//   npm run gen:api                       # running backend at 127.0.0.1:8000, else ask backend/ directly
//   npm run gen:api -- path/to/openapi.json
//   npm run gen:api -- http://host:port/api/openapi.json
//   npm run gen:api -- path/to/openapi.json --check   # exit 1 if schema.d.ts is stale (make test)
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const repo = path.resolve(root, '..')
const out = path.join(root, 'src/api/schema.d.ts')
const defaultUrl = 'http://127.0.0.1:8000/api/openapi.json'
const args = process.argv.slice(2)
const check = args.includes('--check')
const sourceArg = args.find((a) => !a.startsWith('--'))
/** what to run after changing the backend's API (also printed when the check fails) */
export const REGENERATE =
  ".venv/bin/python -c 'import json; from backend.main import create_app_from_env; print(json.dumps(create_app_from_env().openapi()))' > /tmp/openapi.json" +
  ' && (cd frontend && npm run gen:api -- /tmp/openapi.json)'

async function resolveSource() {
  if (sourceArg) return sourceArg
  try {
    const res = await fetch(defaultUrl, { signal: AbortSignal.timeout(2000) })
    if (res.ok) return defaultUrl
  } catch {
    /* no server running: build the document from backend/ */
  }
  const python = [path.join(repo, '.venv/bin/python'), 'python3'].find((p) => p === 'python3' || existsSync(p))
  const doc = execFileSync(
    python,
    ['-c', 'import json; from backend.main import create_app_from_env; print(json.dumps(create_app_from_env().openapi()))'],
    { cwd: repo, encoding: 'utf8' },
  )
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'civictwin-openapi-')), 'openapi.json')
  writeFileSync(file, doc)
  return file
}

const source = await resolveSource()
const cli = path.join(root, 'node_modules/.bin/openapi-typescript')
if (check) {
  // generate beside, compare, leave the committed file alone
  const fresh = path.join(mkdtempSync(path.join(tmpdir(), 'civictwin-schema-')), 'schema.d.ts')
  execFileSync(cli, [source, '--output', fresh], { stdio: ['ignore', 'ignore', 'inherit'] })
  const want = readFileSync(fresh, 'utf8').split('\n')
  const have = existsSync(out) ? readFileSync(out, 'utf8').split('\n') : []
  const at = want.findIndex((line, i) => line !== have[i])
  if (at >= 0 || have.length !== want.length) {
    const line = at >= 0 ? at : Math.min(have.length, want.length)
    console.error(`frontend/src/api/schema.d.ts is stale against the backend's OpenAPI (first difference at line ${line + 1}):`)
    console.error(`  committed: ${JSON.stringify(have[line] ?? '<end of file>')}`)
    console.error(`  generated: ${JSON.stringify(want[line] ?? '<end of file>')}`)
    console.error('Regenerate the typed client from the repository root and commit it:')
    console.error(`  ${REGENERATE}`)
    console.error('  git commit -m "api client regenerated" -- frontend/src/api/schema.d.ts')
    process.exit(1)
  }
  console.log(`${path.relative(root, out)} is up to date with ${source}`)
} else {
  execFileSync(cli, [source, '--output', out], { stdio: 'inherit' })
  console.log(`wrote ${path.relative(root, out)} from ${source}`)
}
