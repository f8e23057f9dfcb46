// @vitest-environment happy-dom
/** The action bar names the design variant in the 3D view (issue 14). */
import { h, render } from 'preact'
import { afterEach, describe, expect, it } from 'vitest'
import type { Proposal } from '../api'
import { resetStore, store } from './store'
import { fakeServer, settle, testContext } from './testing'
import { variantBarText, VariantShown } from './variantbar'

const items = [
  { id: 21, name: 'A: one tower', description: 'Forty metres.' },
  { id: 22, name: 'B: two wings', description: 'Taller corner' },
]

describe('the action bar names the variant shown', () => {
  afterEach(() => resetStore())

  it('the variant shown alone with its description, both split, nothing for the own massing', () => {
    const { i18n } = testContext(fakeServer({}).api)
    expect(variantBarText(i18n, { proposalId: 7, items, left: 22 }, 7)).toBe('Showing: B: two wings — Taller corner')
    expect(variantBarText(i18n, { proposalId: 7, items, left: 21, right: 22 }, 7)).toBe('Showing: A: one tower | B: two wings')
    expect(variantBarText(i18n, { proposalId: 7, items }, 7)).toBeUndefined()
    expect(variantBarText(i18n, { proposalId: 7, items, left: 22 }, 8)).toBeUndefined() // another proposal open
    expect(variantBarText(i18n, undefined, 7)).toBeUndefined()
  })

  it('follows the store: appears when a variant is shown, in the UI language, and goes when the own massing is back', async () => {
    const ctx = testContext(fakeServer({}).api)
    const host = document.createElement('div')
    document.body.replaceChildren(host)
    store.selection.value = { proposal: { id: 7 } as Proposal }
    render(h(VariantShown, { ctx }), host)
    expect(host.querySelector('#bar-variant')).toBeNull()
    store.variants.value = { proposalId: 7, items, left: 22 }
    await settle()
    expect(host.querySelector('#bar-variant')!.textContent).toBe('Showing: B: two wings — Taller corner')
    ctx.i18n.set('it')
    store.locale.value = 'it'
    await settle()
    expect(host.querySelector('#bar-variant')!.textContent).toBe('In vista: B: two wings — Taller corner')
    store.variants.value = { proposalId: 7, items }
    await settle()
    expect(host.querySelector('#bar-variant')).toBeNull()
    render(null, host)
  })
})
