import { describe, expect, it } from 'vitest'
import { emptySearch, opportunityPoint, parseCpvInput, toFilters, toQuery, valueRange, withSiteLocations } from './opportunities'

describe('opportunity search', () => {
  it('reads CPV codes from typed text, dropping check digits and duplicates', () => {
    expect(parseCpvInput('45000000-7, 4511 x 4511;453')).toEqual(['45000000', '4511', '453'])
  })

  it('builds the API query: distance only with a centre, sorted by distance then', () => {
    const s = { ...emptySearch(), q: ' roof ', cpv: ['4526'], from: 'view' as const, radiusKm: 3, minValue: 1000, smeOnly: true }
    expect(toQuery(s, { lon: -0.1234567, lat: 51.5 })).toEqual({
      limit: 50,
      q: 'roof',
      cpv: ['4526'],
      lon: -0.123457,
      lat: 51.5,
      radius_km: 3,
      min_value: 1000,
      sme_suitable: true,
      sort: 'distance',
    })
    expect(toQuery(s, undefined)).not.toHaveProperty('radius_km')
    expect(toFilters(s, undefined)).toEqual({ q: 'roof', cpv: ['4526'], min_value: 1000, sme_suitable: true })
  })

  it('reads values and locations', () => {
    expect(valueRange({ value: { amount: null, min: 10, max: 20, currency: 'GBP' } })).toEqual([10, 20])
    expect(valueRange({ value: { amount: 5, min: null, max: null, currency: 'GBP' } })).toEqual([5, 5])
    expect(valueRange({ value: { amount: null, min: null, max: null, currency: 'GBP' } })).toBeUndefined()
    expect(opportunityPoint({ delivery_location: { type: 'Point', coordinates: [-0.1, 51.5] } })).toEqual({ lon: -0.1, lat: 51.5 })
    expect(opportunityPoint({ delivery_location: null })).toBeUndefined()
  })
})

describe('withSiteLocations', () => {
  const site = { type: 'MultiPolygon', coordinates: [[[[0, 50], [0.002, 50], [0.002, 50.002], [0, 50.002], [0, 50]]]] }
  const proposals = [{ id: 7, site_boundary: site }] as unknown as Parameters<typeof withSiteLocations>[1]

  it('places a work package without a location at its proposal site', () => {
    const [o] = withSiteLocations([{ proposal_id: 7, delivery_location: null }], proposals)
    expect(opportunityPoint(o)).toEqual({ lon: 0.001, lat: 50.001 })
  })

  it('keeps a location of its own, and leaves unknown proposals unplaced', () => {
    const own = { proposal_id: 7, delivery_location: { type: 'Point', coordinates: [1, 2] } } as const
    const placed = withSiteLocations([own, { proposal_id: 99, delivery_location: null }], proposals)
    expect(placed[0]).toBe(own)
    expect(opportunityPoint(placed[1])).toBeUndefined()
  })
})
