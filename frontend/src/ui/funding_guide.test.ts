// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { GuideStep } from '../api/funding'
import { FundingPanel } from './funding'
import { fakeServer, settle, testContext, user, type Request } from './testing'

const q = <T extends Element = HTMLElement>(sel: string) => document.querySelector<T>(sel)

function type(el: Element | null, value: string) {
  const input = el as HTMLInputElement
  input.value = value
  input.dispatchEvent(new Event('input', { bubbles: true }))
}

/** A guide server that keeps positions 1..n per journey, as the API does. */
function guideServer() {
  let next = 10
  const steps: GuideStep[] = [
    { id: 1, journey: 'bid', position: 1, translations: { en: { title: 'Find tenders', description: '' } }, provider: 'Find a Tender', cost: 'free', duration: '', url: null, updated_at: '' },
    { id: 2, journey: 'bid', position: 2, translations: { en: { title: 'Get certified', description: '' } }, provider: 'A chamber', cost: '', duration: '2 weeks', url: null, updated_at: '' },
  ]
  const renumber = (journey: string) =>
    steps
      .filter((s) => s.journey === journey)
      .sort((a, b) => a.position - b.position)
      .forEach((s, i) => (s.position = i + 1))
  const place = (s: GuideStep, position: number) => {
    const others = steps.filter((x) => x.journey === s.journey && x.id !== s.id).sort((a, b) => a.position - b.position)
    others.splice(position - 1, 0, s)
    others.forEach((x, i) => (x.position = i + 1))
  }
  const server = fakeServer({
    'GET /api/v1/schemes': () => ({ items: [], total: 0, limit: 20, offset: 0, next: null, prev: null }),
    'GET /api/v1/saved-searches/funding': () => [],
    'GET /api/v1/awards/kpis': () => [404, { detail: 'none', code: 'NotFound' }],
    'GET /api/v1/guide': () => ['start', 'grow', 'bid', 'abroad'].map((journey) => ({ journey, steps: steps.filter((s) => s.journey === journey).sort((a, b) => a.position - b.position) })),
    'POST /api/v1/guide/steps': (req: Request) => {
      const b = req.body as GuideStep
      if (b.url === 'ftp://x') return [422, { detail: "body url: URL scheme should be 'http' or 'https'", code: 'InvalidInputError', key: 'invalid_field', params: { field: 'url' } }]
      const s = { ...b, id: next++, updated_at: '' } as GuideStep
      steps.push(s)
      place(s, b.position)
      return [201, s]
    },
    'PATCH /api/v1/guide/steps/1': (req: Request) => {
      const s = steps.find((x) => x.id === 1)!
      place(s, (req.body as { position: number }).position)
      return s
    },
    'PATCH /api/v1/guide/steps/2': (req: Request) => {
      const s = steps.find((x) => x.id === 2)!
      const b = req.body as Partial<GuideStep>
      const moved = b.journey && b.journey !== s.journey
      const from = s.journey
      Object.assign(s, b)
      if (moved) {
        renumber(from)
        s.position = steps.filter((x) => x.journey === s.journey).length
      }
      return s
    },
    'DELETE /api/v1/guide/steps/2': () => {
      steps.splice(
        steps.findIndex((x) => x.id === 2),
        1,
      )
      renumber('bid')
      return [204, null]
    },
  })
  return { server, steps }
}

describe('the guide editor (the city)', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => render(null, host))

  it('a planner adds a step (errors beside the fields), moves one and removes one; the guide is the server’s after each', async () => {
    const { server } = guideServer()
    const ctx = testContext(server.api, user(['planner']))
    const panel = new FundingPanel(ctx)
    render(panel.render(), host)
    await panel.load()
    await settle()
    const toggle = q<HTMLButtonElement>('#guide-edit-toggle')!
    expect(toggle.getAttribute('aria-expanded')).toBe('false')
    toggle.click()
    await settle()
    expect(toggle.getAttribute('aria-expanded')).toBe('true')
    // every journey is listed, empty ones too, so a first step can be added
    expect([...host.querySelectorAll('.guide-journey h4')].map((e) => e.textContent)).toEqual(['Start a business', 'Grow', 'Bid for public work', 'Go abroad'])

    q<HTMLButtonElement>('#guide-add-bid')!.click()
    await settle()
    const form = q<HTMLFormElement>('#guide-form-new-bid')!
    // put at the end by default
    expect(q<HTMLSelectElement>('#guide-form-new-bid-position')!.value).toBe('3')
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(q('#guide-form-new-bid-title-en-error')!.textContent).toBe('Give an English title.')
    expect(q('#guide-form-new-bid-title-en')!.getAttribute('aria-describedby')).toBe('guide-form-new-bid-title-en-error')
    type(q('#guide-form-new-bid-title-en'), 'Register as a supplier')
    type(q('#guide-form-new-bid-description-en'), 'One registration for every council tender.')
    type(q('#guide-form-new-bid-title-et'), 'Registreeru tarnijaks')
    type(q('#guide-form-new-bid-provider'), 'The city council')
    type(q('#guide-form-new-bid-cost'), 'free')
    type(q('#guide-form-new-bid-duration'), '1 day')
    type(q('#guide-form-new-bid-url'), 'ftp://x')
    const pos = q<HTMLSelectElement>('#guide-form-new-bid-position')!
    pos.value = '2'
    pos.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(q('#guide-form-new-bid-url-error')).not.toBeNull()
    expect(q('#guide-form-new-bid-url')!.getAttribute('aria-invalid')).toBe('true')
    type(q('#guide-form-new-bid-url'), 'https://city.example.org/suppliers')
    await settle()
    form.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    expect(server.requests.filter((r) => r.method === 'POST').at(-1)!.body).toEqual({
      journey: 'bid',
      position: 2,
      translations: { en: { title: 'Register as a supplier', description: 'One registration for every council tender.' }, et: { title: 'Registreeru tarnijaks', description: '' } },
      provider: 'The city council',
      cost: 'free',
      duration: '1 day',
      url: 'https://city.example.org/suppliers',
    })
    const titles = () => [...host.querySelectorAll('#guide-editor .guide-journey:nth-of-type(3) li strong')].map((e) => e.textContent)
    expect(titles()).toEqual(['Find tenders', 'Register as a supplier', 'Get certified'])
    expect(ctx.announced).toContain('Step “Register as a supplier” added')

    // move the first step down: the server's order is shown, the focus stays on the step
    expect(q<HTMLButtonElement>('#guide-step-1-up')!.disabled).toBe(true)
    q<HTMLButtonElement>('#guide-step-1-down')!.click()
    await settle()
    expect(server.requests.find((r) => r.method === 'PATCH')).toMatchObject({ path: '/api/v1/guide/steps/1', body: { position: 2 } })
    expect(titles()).toEqual(['Register as a supplier', 'Find tenders', 'Get certified'])
    expect(ctx.announced).toContain('“Find tenders” is now step 2 of 3')

    // removing asks once more
    q<HTMLButtonElement>('#guide-step-2-remove')!.click()
    await settle()
    expect(server.requests.some((r) => r.method === 'DELETE')).toBe(false)
    q<HTMLButtonElement>('#guide-step-2-remove-yes')!.click()
    await settle()
    expect(titles()).toEqual(['Register as a supplier', 'Find tenders'])
    expect(ctx.announced).toContain('Step “Get certified” removed')

    // done editing: the guide as the public reads it, with the new step
    toggle.click()
    await settle()
    expect(q('#guide-bid')!.textContent).toContain('Register as a supplier')
    expect(q('#guide-editor')).toBeNull()
  })

  it('changes a step: the form filled from it, moved to another journey, the focus back on its Edit button', async () => {
    const { server } = guideServer()
    const ctx = testContext(server.api, user(['admin']))
    const panel = new FundingPanel(ctx)
    render(panel.render(), host)
    await panel.load()
    await settle()
    q<HTMLButtonElement>('#guide-edit-toggle')!.click()
    await settle()
    q<HTMLButtonElement>('#guide-step-2-edit')!.click()
    await settle()
    expect(q('#guide-form-2-h')!.textContent).toBe('Change the step “Get certified”')
    expect(q<HTMLInputElement>('#guide-form-2-provider')!.value).toBe('A chamber')
    expect(q<HTMLInputElement>('#guide-form-2-duration')!.value).toBe('2 weeks')
    expect(q<HTMLSelectElement>('#guide-form-2-position')!.value).toBe('2')
    type(q('#guide-form-2-cost'), '£40')
    const journey = q<HTMLSelectElement>('#guide-form-2-journey')!
    journey.value = 'grow'
    journey.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    expect(q('#guide-form-2-position')).toBeNull() // this journey's positions do not apply there
    q<HTMLFormElement>('#guide-form-2')!.dispatchEvent(new Event('submit', { cancelable: true }))
    await settle()
    await new Promise((r) => setTimeout(r, 50))
    const patch = server.requests.find((r) => r.method === 'PATCH')!
    expect(patch).toMatchObject({ path: '/api/v1/guide/steps/2', body: { journey: 'grow', cost: '£40', provider: 'A chamber', duration: '2 weeks' } })
    expect(patch.body).not.toHaveProperty('position') // to the end of the other journey
    expect(q('#guide-editor .guide-journey:nth-of-type(2)')!.textContent).toContain('Get certified')
    expect(q('#guide-editor .guide-journey:nth-of-type(3)')!.textContent).not.toContain('Get certified')
    expect(ctx.announced).toContain('Step “Get certified” saved')
    expect(document.activeElement?.id).toBe('guide-step-2-edit')
  })

  it('offers no editing to a citizen or an SME', async () => {
    const { server } = guideServer()
    for (const roles of [['citizen'], ['sme'], ['funder']] as const) {
      const panel = new FundingPanel(testContext(server.api, user([...roles])))
      render(panel.render(), host)
      await panel.load()
      await settle()
      expect(q('#guide-edit-toggle')).toBeNull()
      expect(q('#guide-bid')!.textContent).toContain('Find tenders')
    }
  })
})
