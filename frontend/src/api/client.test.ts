import { describe, expect, it } from 'vitest'
import { ApiError, asPage, HttpClient, toQueryString } from './client'
import { Api } from '.'

function fakeFetch(status: number, body: unknown, seen: { url?: string; init?: RequestInit }) {
  return (async (url: RequestInfo | URL, init?: RequestInit) => {
    seen.url = String(url)
    seen.init = init
    return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
  }) as typeof fetch
}

describe('api client', () => {
  it('builds query strings, skipping empty values and repeating arrays', () => {
    expect(toQueryString({ a: 1, b: undefined, c: '', d: ['x', 'y'], e: false })).toBe('?a=1&d=x&d=y&e=false')
    expect(toQueryString({})).toBe('')
  })

  it('turns error bodies into ApiError with code and detail', async () => {
    const seen = {}
    const api = new Api(new HttpClient('', fakeFetch(404, { detail: 'no such proposal', code: 'NotFound' }, seen)))
    const err = await api.proposal(9).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 404, code: 'NotFound', message: 'no such proposal' })
  })

  it('sends JSON and maps opportunity filters to query parameters', async () => {
    const seen: { url?: string; init?: RequestInit } = {}
    const api = new Api(new HttpClient('', fakeFetch(200, { items: [], total: 0 }, seen)))
    await api.opportunities({ cpv: ['45000000'], near: { lon: 1, lat: 2 }, within_m: 5000, sme_suitable: true })
    expect(seen.url).toBe('/api/v1/opportunities?cpv=45000000&lon=1&lat=2&within_m=5000&sme_suitable=true')
    await api.postComment(3, { body: 'hi', sentiment: 'neutral', topics: ['light'] })
    expect(seen.url).toBe('/api/v1/proposals/3/comments')
    expect(seen.init?.method).toBe('POST')
    expect(JSON.parse(String(seen.init?.body))).toMatchObject({ body: 'hi', topics: ['light'] })
  })

  it('accepts bare arrays and pages alike', () => {
    expect(asPage([1, 2])).toEqual({ items: [1, 2], total: 2, next: null })
    expect(asPage({ items: [1], total: 5 })).toEqual({ items: [1], total: 5 })
  })
})
