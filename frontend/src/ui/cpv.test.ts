// @vitest-environment happy-dom
import { render } from 'preact'
import { beforeEach, describe, expect, it } from 'vitest'
import { CpvPicker } from './cpv'
import { componentsRendered, fakeServer, settle, testContext } from './testing'

// what the server answers for "electr": its own order puts petroleum first
const ELECTR = [
  { code: '09000000-3', label: 'Petroleum products, fuel, electricity and other sources of energy' },
  { code: '45310000-3', label: 'Electrical installation work' },
  { code: '31000000-6', label: 'Electrical machinery, apparatus, equipment and consumables' },
]

describe('CpvPicker', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })

  function setUp() {
    const server = fakeServer({ 'GET /api/v1/cpv': () => ({ items: ELECTR }) })
    const ctx = testContext(server.api)
    let changes = 0
    const picker = new CpvPicker(ctx, 'opps', () => (changes += 1))
    render(picker.view('Sectors (CPV)'), host)
    return { server, ctx, picker, changes: () => changes }
  }

  const input = () => host.querySelector<HTMLInputElement>('#opps-cpv')!
  const key = (k: string) => input().dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }))

  it('"electr" + Enter picks electrical installation work, not the first answer', async () => {
    const { server, picker, ctx, changes } = setUp()
    const el = input()
    el.value = 'electr'
    el.dispatchEvent(new Event('input', { bubbles: true }))
    key('Enter') // before the typing pause: searches for the text as typed now
    await settle()
    expect(server.requests.at(-1)?.query.get('q')).toBe('electr')
    expect(picker.codes).toEqual(['45310000-3'])
    expect(host.querySelector('.chips')?.textContent).toContain('45310000-3 Electrical installation work')
    expect(ctx.announced).toEqual(['Added 45310000-3 Electrical installation work'])
    expect(changes()).toBe(1)
    expect(input()).toBe(el) // the same field: Preact kept it
    expect(el.value).toBe('')
  })

  it('lists the matches as a listbox, moves with the arrows and closes with Escape', async () => {
    const { picker } = setUp()
    picker.typed('electr')
    await picker.search('electr')
    await settle()
    const options = [...host.querySelectorAll('#opps-cpv-list [role=option]')]
    expect(options.map((o) => o.textContent)).toEqual([
      '45310000-3 Electrical installation work',
      '31000000-6 Electrical machinery, apparatus, equipment and consumables',
      '09000000-3 Petroleum products, fuel, electricity and other sources of energy',
    ])
    expect(input().getAttribute('aria-expanded')).toBe('true')
    expect(host.querySelector('[role=status]')?.textContent).toBe('3 matching codes')
    // arrow keys re-render the picker alone
    const rendered = await componentsRendered(() => {
      key('ArrowDown')
      key('ArrowDown')
    })
    expect(new Set(rendered)).toEqual(new Set(['CpvView']))
    expect(input().getAttribute('aria-activedescendant')).toBe('opps-cpv-opt-1')
    expect(options.map((o) => o.getAttribute('aria-selected'))).toEqual(['false', 'true', 'false'])
    key('ArrowUp')
    key('ArrowUp') // wraps round to the last
    await settle()
    expect(input().getAttribute('aria-activedescendant')).toBe('opps-cpv-opt-2')
    key('Enter')
    await settle()
    expect(picker.codes).toEqual(['09000000-3'])
    picker.typed('electr')
    await picker.search('electr')
    await settle()
    key('Escape')
    await settle()
    expect(input().getAttribute('aria-expanded')).toBe('false')
    expect(host.querySelector<HTMLElement>('#opps-cpv-list')!.hidden).toBe(true)
  })

  it('a code prefix is searched as a prefix; a chip removes its code', async () => {
    const { server, picker } = setUp()
    await picker.search('4531')
    expect(server.requests.at(-1)?.query.get('prefix')).toBe('4531')
    expect(server.requests.at(-1)?.query.get('q')).toBeNull()
    picker.set([
      { code: '45310000-3', label: 'Electrical installation work' },
      { code: '31000000-6', label: 'Electrical machinery' },
    ])
    await settle()
    host.querySelector<HTMLButtonElement>('[aria-label="Remove 45310000-3"]')!.click()
    await settle()
    expect(picker.codes).toEqual(['31000000-6'])
    expect([...host.querySelectorAll('.chips li span')].map((s) => s.textContent)).toEqual(['31000000-6 Electrical machinery'])
  })
})
