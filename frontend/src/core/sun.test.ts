import { describe, expect, it } from 'vitest'
import { clockText, dateValue, instantOf, isSoftwareRenderer, isTimeZone, nextAnimationMinutes, parseDateValue, siteTimeAt } from './sun'

describe('sun study clock in the site time zone', () => {
  it('reads 15:00 on 21 December in London as 15:00 UTC', () => {
    expect(instantOf({ year: 2026, month: 12, day: 21, minutes: 15 * 60 }, 'Europe/London').toISOString()).toBe('2026-12-21T15:00:00.000Z')
  })

  it('reads 15:00 on 21 June in London as 14:00 UTC (summer time)', () => {
    expect(instantOf({ year: 2026, month: 6, day: 21, minutes: 15 * 60 }, 'Europe/London').toISOString()).toBe('2026-06-21T14:00:00.000Z')
  })

  it('reads other zones by their own offset', () => {
    expect(instantOf({ year: 2026, month: 3, day: 21, minutes: 12 * 60 }, 'Europe/Tallinn').toISOString()).toBe('2026-03-21T10:00:00.000Z')
    expect(instantOf({ year: 2026, month: 12, day: 21, minutes: 9 * 60 }, 'America/New_York').toISOString()).toBe('2026-12-21T14:00:00.000Z')
  })

  it('round-trips every quarter hour across both clock changes', () => {
    for (const [month, day] of [[3, 29], [10, 25]] as const) {
      for (let minutes = 0; minutes < 1440; minutes += 15) {
        const t = { year: 2026, month, day, minutes }
        const back = siteTimeAt(instantOf(t, 'Europe/London'), 'Europe/London')
        // 01:00-01:59 does not exist on the spring-forward day: it reads an hour later
        const skipped = month === 3 && minutes >= 60 && minutes < 120
        expect(back).toEqual(skipped ? { ...t, minutes: minutes + 60 } : t)
      }
    }
  })

  it('takes the first of the repeated hour when clocks go back', () => {
    expect(instantOf({ year: 2026, month: 10, day: 25, minutes: 90 }, 'Europe/London').toISOString()).toBe('2026-10-25T00:30:00.000Z')
  })

  it('shows the wall clock of the site, not of the browser', () => {
    expect(siteTimeAt(new Date('2026-12-21T15:00:00Z'), 'Europe/London')).toEqual({ year: 2026, month: 12, day: 21, minutes: 900 })
    expect(siteTimeAt(new Date('2026-12-21T23:30:00Z'), 'Europe/Tallinn')).toEqual({ year: 2026, month: 12, day: 22, minutes: 90 })
  })

  it('knows IANA names and refuses others', () => {
    expect(isTimeZone('Europe/Budapest')).toBe(true)
    expect(isTimeZone('Europe/Atlantis')).toBe(false)
  })

  it('formats and parses the date and time fields', () => {
    expect(clockText(905)).toBe('15:05')
    expect(dateValue({ year: 2026, month: 3, day: 1, minutes: 0 })).toBe('2026-03-01')
    expect(parseDateValue('2026-12-21')).toEqual({ year: 2026, month: 12, day: 21 })
    expect(parseDateValue('2026-02-30')).toBeUndefined()
    expect(parseDateValue('21/12/2026')).toBeUndefined()
  })

  it('animates the day in steps and stops at midnight', () => {
    expect(nextAnimationMinutes(600)).toBe(610)
    expect(nextAnimationMinutes(1430)).toBeUndefined()
  })
})

describe('software WebGL', () => {
  it('recognises software rasterisers', () => {
    expect(isSoftwareRenderer('ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)')).toBe(true)
    expect(isSoftwareRenderer('Google SwiftShader')).toBe(true)
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true)
    expect(isSoftwareRenderer('Microsoft Basic Render Driver')).toBe(true)
  })

  it('leaves GPUs alone', () => {
    expect(isSoftwareRenderer('ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)')).toBe(false)
    expect(isSoftwareRenderer('Apple M2')).toBe(false)
    expect(isSoftwareRenderer(undefined)).toBe(false)
  })
})
