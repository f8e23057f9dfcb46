/**
 * Helpers for the panels' DOM tests (vitest in happy-dom): a small in-memory HTTP server behind
 * the real `Api` client, and an `AppContext` with the real i18n that records announcements.
 * Only tests import this module.
 */
import { Fragment, options } from 'preact'
import { Api, type Id, type Proposal, type User } from '../api'
import { HttpClient } from '../api/client'
import { I18n } from '../i18n'
import type { AppContext } from './context'
import { resetStore, store } from './store'

export interface Request {
  method: string
  path: string
  query: URLSearchParams
  body: unknown
}

/** `routes` maps "METHOD /path" to a handler returning the JSON body (or `[status, body]`). */
export type Routes = Record<string, (req: Request) => unknown>

export function fakeServer(routes: Routes) {
  const requests: Request[] = []
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(String(input), 'http://test.invalid')
    const method = init?.method ?? 'GET'
    const req: Request = { method, path: url.pathname, query: url.searchParams, body: init?.body ? JSON.parse(String(init.body)) : undefined }
    requests.push(req)
    const handler = routes[`${method} ${url.pathname}`]
    const out = handler ? handler(req) : [404, { detail: `no route ${method} ${url.pathname}`, code: 'NotFound' }]
    const [status, body] = Array.isArray(out) && typeof out[0] === 'number' ? (out as [number, unknown]) : [200, out]
    return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  }
  return { api: new Api(new HttpClient('', fetchImpl)), requests }
}

export interface TestContext extends AppContext {
  announced: string[]
  opened: Id[]
}

/** A context for one panel: the store reset, the user set, announcements recorded. */
export function testContext(api: Api, user?: User): TestContext {
  resetStore()
  store.user.value = user
  const ctx: TestContext = {
    api,
    i18n: new I18n('en'),
    announced: [],
    opened: [],
    get user() {
      return store.user.value
    },
    get selection() {
      return store.selection.value
    },
    announce(message: string) {
      ctx.announced.push(message)
    },
    refresh() {},
    select(proposal: Proposal | undefined, commentId?: Id) {
      store.selection.value = { proposal, commentId }
    },
    selectComment(commentId: Id | undefined) {
      store.selection.value = { ...store.selection.value, commentId }
    },
    async openProposal(id: Id) {
      ctx.opened.push(id)
    },
    setUser(u: User | undefined) {
      store.user.value = u
    },
    openAccount() {
      store.tab.value = 'account'
    },
  }
  return ctx
}

export function user(roles: User['roles'], id = 1): User {
  return {
    id,
    email: `u${id}@example.org`,
    display_name: `User ${id}`,
    roles,
    organisation_id: null,
    locale: 'en',
    created_at: '2026-01-01T00:00:00Z',
    email_verified: true,
  }
}

/** Wait until the promises queued by a click have settled and Preact has rendered. */
export async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0))
}

/**
 * Count the components Preact renders while `fn` runs (and the page settles): `options.diffed`
 * is called once per vnode diffed; components are the vnodes whose type is a function.
 * Returns the component names rendered, e.g. `['CommentForm']` for a keystroke in the form.
 */
export async function componentsRendered(fn: () => unknown): Promise<string[]> {
  const seen: string[] = []
  const previous = options.diffed
  options.diffed = (vnode) => {
    // Fragments are the arrays inside a component's output, not components
    if (typeof vnode.type === 'function' && vnode.type !== Fragment) seen.push(vnode.type.displayName || vnode.type.name || 'anonymous')
    previous?.(vnode)
  }
  try {
    await fn()
    await settle()
  } finally {
    options.diffed = previous
  }
  return seen
}
