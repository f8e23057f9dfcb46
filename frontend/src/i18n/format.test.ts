import { describe, expect, it } from 'vitest'
import { formatCurrency, formatDate, formatDistance, formatNumber, formatTimeLeft } from './format'

const nbsp = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ')

describe('formatting', () => {
  const d = new Date(Date.UTC(2025, 2, 5, 12, 0))

  it('formats dates per locale', () => {
    expect(formatDate(d, 'en-GB')).toBe('5 Mar 2025')
    expect(formatDate(d, 'it-IT')).toBe('5 mar 2025')
    expect(formatDate(d, 'hu-HU')).toMatch(/^2025\. márc\. 5\.$/)
    expect(formatDate('2025-03-05', 'sv-SE')).toBe('5 mars 2025')
  })

  it('formats numbers and money with local separators', () => {
    expect(nbsp(formatNumber(1234567.25, 'et-EE'))).toBe('1 234 567,3')
    expect(formatNumber(1234567.25, 'en-GB')).toBe('1,234,567.3')
    expect(nbsp(formatCurrency(250000, 'EUR', 'it-IT'))).toBe('250.000 €')
    expect(nbsp(formatCurrency(250000, 'HUF', 'hu-HU'))).toBe('250 000 Ft')
  })

  it('formats distances in m below 1 km and km above', () => {
    expect(formatDistance(850, 'en-GB')).toBe('850 m')
    expect(formatDistance(12_345, 'en-GB')).toBe('12.3 km')
    expect(formatDistance(12_345, 'sv-SE')).toMatch(/^12,3\s?km$/)
  })

  it('rounds time left down to whole days, hours or minutes; undefined once passed', () => {
    const now = new Date(Date.UTC(2025, 0, 1, 0, 0))
    expect(formatTimeLeft(new Date(Date.UTC(2025, 0, 4, 23, 0)), now, 'en-GB')).toBe('in 3 days')
    expect(formatTimeLeft(new Date(Date.UTC(2025, 0, 1, 5, 30)), now, 'en-GB')).toBe('in 5 hours')
    expect(formatTimeLeft(new Date(Date.UTC(2025, 0, 1, 0, 0, 20)), now, 'en-GB')).toBe('in 1 minute')
    expect(formatTimeLeft(new Date(Date.UTC(2025, 0, 3)), now, 'it-IT')).toBe('tra 2 giorni')
    expect(formatTimeLeft(now, now, 'en-GB')).toBeUndefined()
    expect(formatTimeLeft('2020-01-01', now, 'en-GB')).toBeUndefined()
  })
})
