/**
 * The one place that calls fetch. JSON in and out; errors become `ApiError` carrying the
 * backend's `{detail, code}`. State-changing requests send the CSRF token the backend sets in
 * a readable cookie (double-submit), and the session cookie goes with `credentials: 'same-origin'`.
 */
import type { ApiErrorBody } from './types'

export const CSRF_COOKIE = 'civictwin_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    /** the message key and its params, for the UI to translate (`core/errors.ts`) */
    readonly key?: string,
    readonly params: Record<string, string | number | string[]> = {},
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
  /** the token from the last login/register/me response; the cookie is read when unset */
  csrfToken?: string

  constructor(
    private readonly base = '',
    private readonly fetchImpl: typeof fetch = (...args) => fetch(...args),
  ) {}

  url(path: string, query?: Query): string {
    return `${this.base}${path}${toQueryString(query)}`
  }

  async request<T>(
    method: string,
    path: string,
    opts: { query?: Query; json?: unknown; blob?: Blob; contentType?: string } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' }
    let body: BodyInit | undefined
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(opts.json)
    } else if (opts.blob) {
      // uploads go as the raw file with its media type (the backend streams and checks it)
      headers['Content-Type'] = opts.contentType || opts.blob.type || 'application/octet-stream'
      body = opts.blob
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const token = readCookie(CSRF_COOKIE) ?? this.csrfToken
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
      throw new ApiError(
        res.status,
        err.code ?? `Http${res.status}`,
        typeof err.detail === 'string' ? err.detail : res.statusText,
        typeof err.key === 'string' ? err.key : undefined,
        err.params && typeof err.params === 'object' ? err.params : {},
      )
    }
    if (res.status === 204) return undefined as T
    return (await res.json()) as T
  }

  get<T>(path: string, query?: Query) {
    return this.request<T>('GET', path, { query })
  }
  post<T>(path: string, json?: unknown, query?: Query) {
    return this.request<T>('POST', path, { json: json ?? {}, query })
  }
  put<T>(path: string, json?: unknown) {
    return this.request<T>('PUT', path, { json: json ?? {} })
  }
  patch<T>(path: string, json: unknown) {
    return this.request<T>('PATCH', path, { json })
  }
  delete<T>(path: string) {
    return this.request<T>('DELETE', path)
  }
  /** Send a file as the request body; metadata goes in the query string. */
  upload<T>(method: 'POST' | 'PUT', path: string, file: Blob, query: Query, contentType?: string) {
    return this.request<T>(method, path, { blob: file, query, contentType })
  }
}
