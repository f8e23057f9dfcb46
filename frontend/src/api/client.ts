/**
 * The one place that calls fetch. JSON in and out; errors become `ApiError` carrying the
 * backend's `{detail, code}`. State-changing requests send the CSRF token the backend sets in
 * a readable cookie (double-submit), and the session cookie goes with `credentials: 'same-origin'`.
 */
import type { ApiErrorBody, Page } from './types'

export const CSRF_COOKIE = 'civictwin_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail)
    this.name = 'ApiError'
  }
}

export type Query = Record<string, string | number | boolean | string[] | undefined | null>

export function toQueryString(query: Query | undefined): string {
  if (!query) return ''
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue
    if (Array.isArray(v)) v.forEach((item) => params.append(k, item))
    else params.append(k, String(v))
  }
  const s = params.toString()
  return s ? `?${s}` : ''
}

function readCookie(name: string): string | undefined {
  if (typeof document === 'undefined') return undefined
  for (const part of document.cookie.split(';')) {
    const [k, ...rest] = part.trim().split('=')
    if (k === name) return decodeURIComponent(rest.join('='))
  }
  return undefined
}

export class HttpClient {
  constructor(
    private readonly base = '',
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  url(path: string, query?: Query): string {
    return `${this.base}${path}${toQueryString(query)}`
  }

  async request<T>(method: string, path: string, opts: { query?: Query; json?: unknown; form?: FormData } = {}): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    let body: BodyInit | undefined
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(opts.json)
    } else if (opts.form) {
      body = opts.form
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const token = readCookie(CSRF_COOKIE)
      if (token) headers[CSRF_HEADER] = token
    }
    const res = await this.fetchImpl(this.url(path, opts.query), {
      method,
      headers,
      body,
      credentials: 'same-origin',
    })
    if (!res.ok) {
      let err: Partial<ApiErrorBody> = {}
      try {
        err = (await res.json()) as ApiErrorBody
      } catch {
        /* not JSON: keep the status text */
      }
      throw new ApiError(res.status, err.code ?? `Http${res.status}`, typeof err.detail === 'string' ? err.detail : res.statusText)
    }
    if (res.status === 204) return undefined as T
    return (await res.json()) as T
  }

  get<T>(path: string, query?: Query) {
    return this.request<T>('GET', path, { query })
  }
  post<T>(path: string, json?: unknown) {
    return this.request<T>('POST', path, { json: json ?? {} })
  }
  patch<T>(path: string, json: unknown) {
    return this.request<T>('PATCH', path, { json })
  }
  delete<T>(path: string) {
    return this.request<T>('DELETE', path)
  }
  upload<T>(path: string, form: FormData) {
    return this.request<T>('POST', path, { form })
  }
}

/** Accept either a bare array or a `{items, total, next}` page. */
export function asPage<T>(body: T[] | Page<T>): Page<T> {
  return Array.isArray(body) ? { items: body, total: body.length, next: null } : body
}
