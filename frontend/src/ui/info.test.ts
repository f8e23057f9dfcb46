// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { instantOf } from '../core/sun'
import { BuildingInfo, SunControl } from './info'
import { store } from './store'
import { fakeServer, settle, testContext } from './testing'

describe('building card and sun study', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  it('the building card follows the store', async () => {
    const ctx = testContext(fakeServer({}).api)
    render(new BuildingInfo(ctx).render(), host)
    expect(host.textContent).toContain(ctx.i18n.t('building.none'))
    store.building.value = { building_id: 'b1', height_m: 12.5 }
    await settle()
    expect(host.querySelector('dl.props')!.textContent).toContain('12.5')
  })

  it('a date preset sets 21 December on the site clock and keeps the details open and the range node', async () => {
    const ctx = testContext(fakeServer({}).api)
    const sun = new SunControl(ctx, false, 'Europe/London')
    render(sun.render(), host)
    const details = host.querySelector('details')!
    details.open = true
    details.dispatchEvent(new Event('toggle'))
    const range = host.querySelector<HTMLInputElement>('#sun-time')!
    const december = [...host.querySelectorAll<HTMLButtonElement>('.chips button')].find((b) => b.textContent === ctx.i18n.t('sun.december'))!
    december.click()
    range.value = '900'
    range.dispatchEvent(new Event('input', { bubbles: true }))
    await settle()
    expect(sun.site).toMatchObject({ month: 12, day: 21, minutes: 900 })
    // 15:00 in London in winter is 15:00 UTC, whatever the machine's zone
    expect(sun.date.toISOString().slice(11, 16)).toBe('15:00')
    expect(sun.date.getTime()).toBe(instantOf(sun.site, 'Europe/London').getTime())
    expect(host.querySelector('output')!.textContent).toBe('15:00')
    expect(host.querySelector('#sun-time')).toBe(range)
    expect(host.querySelector('details')!.open).toBe(true)
    expect(december.getAttribute('aria-pressed')).toBe('true')
  })
})
