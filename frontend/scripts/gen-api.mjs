#!/usr/bin/env node
// Generate src/api/schema.d.ts from the backend's OpenAPI document.
//   npm run gen:api                       # running backend at 127.0.0.1:8000, else ask backend/ directly
//   npm run gen:api -- path/to/openapi.json
//   npm run gen:api -- http://host:port/api/openapi.json
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const repo = path.resolve(root, '..')
const out = path.join(root, 'src/api/schema.d.ts')
const defaultUrl = 'http://127.0.0.1:8000/api/openapi.json'

async function resolveSource() {
  const arg = process.argv[2]
  if (arg) return arg
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
execFileSync(cli, [source, '--output', out], { stdio: 'inherit' })
console.log(`wrote ${path.relative(root, out)} from ${source}`)
