import { describe, expect, it } from 'vitest'
import { ApiError, CSRF_HEADER, HttpClient, toQueryString } from './client'
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
    await api.opportunities({ cpv: ['4500', '4511'], lon: 1, lat: 2, radius_km: 5, sme_suitable: true })
    expect(seen.url).toBe('/api/v1/opportunities?cpv=4500&cpv=4511&lon=1&lat=2&radius_km=5&sme_suitable=true')
    await api.postComment(3, { body: 'hi', sentiment: 'neutral', topics: ['light'] })
    expect(seen.url).toBe('/api/v1/proposals/3/comments')
    expect(seen.init?.method).toBe('POST')
    expect(JSON.parse(String(seen.init?.body))).toMatchObject({ body: 'hi', topics: ['light'] })
  })

  it('uses the backend paths for reactions, moderation, publishing and massing', async () => {
    const seen: { url?: string; init?: RequestInit } = {}
    const api = new Api(new HttpClient('', fakeFetch(200, {}, seen)))
    await api.react(7, 'agree')
    expect([seen.init?.method, seen.url]).toEqual(['PUT', '/api/v1/comments/7/reaction'])
    await api.moderate(7, 'hide', 'spam')
    expect([seen.init?.method, seen.url]).toEqual(['POST', '/api/v1/moderation/comments/7/hide'])
    await api.publish(3)
    expect([seen.init?.method, seen.url]).toEqual(['POST', '/api/v1/proposals/3/publish'])
    await api.setMassing(3, { type: 'FeatureCollection', features: [] })
    expect([seen.init?.method, seen.url]).toEqual(['PUT', '/api/v1/proposals/3/massing'])
    await api.buildings([-0.1, 51.5, -0.09, 51.51], 20)
    expect(seen.url).toBe('/api/v1/buildings?bbox=-0.100000%2C51.500000%2C-0.090000%2C51.510000&limit=20')
  })

  it('uploads a model as the raw glb with its placement in the query', async () => {
    const seen: { url?: string; init?: RequestInit } = {}
    const api = new Api(new HttpClient('', fakeFetch(200, {}, seen)))
    const file = new File([new Uint8Array([0x67, 0x6c, 0x54, 0x46])], 'scheme.glb')
    await api.uploadModel(3, file, { lon: -0.1, lat: 51.5, height_m: 2, heading_deg: 90, scale: 1 })
    expect(seen.init?.method).toBe('PUT')
    expect(seen.url).toBe('/api/v1/proposals/3/model?lon=-0.1&lat=51.5&height_m=2&heading_deg=90&scale=1&filename=scheme.glb')
    expect((seen.init?.headers as Record<string, string>)['Content-Type']).toBe('model/gltf-binary')
  })

  it('sends the CSRF token from the sign-in response on writes, not on reads', async () => {
    const seen: { url?: string; init?: RequestInit } = {}
    const http = new HttpClient('', fakeFetch(200, { id: 1, csrf_token: 'tok' }, seen))
    const api = new Api(http)
    await api.signIn('a@b.c', 'pw')
    await api.proposals()
    expect((seen.init?.headers as Record<string, string>)[CSRF_HEADER]).toBeUndefined()
    await api.report(1, 'spam')
    expect((seen.init?.headers as Record<string, string>)[CSRF_HEADER]).toBe('tok')
  })
})
