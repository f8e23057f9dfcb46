// @vitest-environment happy-dom
// A design variant's counts follow the comments: a live comment on a variant (posted here or by
// someone else) brings the variants' counts again; a comment on the scheme as a whole does not.
import { h, render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Comment, Proposal, ProposalEvent } from '../api'
import { EngagementPanel, EngagementSections } from './engagement'
import { resetStore, store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

const proposal = { id: 7, title: 'Lantern Court', stage: 'consultation', site_boundary: null, site_address: '1 Test Street' } as unknown as Proposal

function variant(id: number, name: string, comments: number) {
  return { id, proposal_id: 7, name, description: '', position: id, massing: null, model_document_id: null, model: null, preferences: 0, comments, created_at: '2026-03-01T10:00:00Z' }
}

function created(variantId: number | null): ProposalEvent {
  const comment = { id: 40, proposal_id: 7, variant_id: variantId, body: 'x', state: 'published' } as unknown as Comment
  return { type: 'comment_created', comment } as ProposalEvent
}

describe("a variant's comment count", () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => {
    render(null, host)
    resetStore()
  })

  it('follows a live comment on a variant, and only such a comment', async () => {
    let onB = 0
    const server = fakeServer({
      'GET /api/v1/proposals/7/variants': () => ({ items: [variant(21, 'A: one tower', 0), variant(22, 'B: two wings', onB)], my_preference: null }),
      'GET /api/v1/proposals/7/questionnaire': () => ({ proposal_id: 7, questions: [], answered: false, submissions: 0 }),
      'GET /api/v1/proposals/7/questionnaire/results': () => ({ proposal_id: 7, submissions: 0, questions: [] }),
      'GET /api/v1/proposals/7/you-said-we-did': () => ({ proposal_id: 7, themes: [], responses: [], changes: [], counts: { noted: 0, scheme_changed: 0, not_taken_forward: 0, no_response: 0 } }),
      'GET /api/v1/proposals/7/timeline': () => ({ proposal_id: 7, items: [] }),
      'GET /api/v1/me/follows': () => [],
    })
    const ctx = testContext(server.api, user(['citizen'], 5))
    const panel = new EngagementPanel(ctx)
    render(h(EngagementSections, { panel, p: proposal }), host)
    await settle()
    await settle()
    const label = () => host.querySelector('label[for=variant-22]')?.textContent
    expect(label()).toContain('0 comments')
    const asked = () => server.requests.filter((r) => r.path === '/api/v1/proposals/7/variants').length
    expect(asked()).toBe(1)
    // a comment on the scheme as a whole: nothing to count again
    store.live.value = created(null)
    await settle()
    expect(asked()).toBe(1)
    onB = 1
    store.live.value = created(22)
    await settle()
    await settle()
    expect(asked()).toBe(2)
    expect(label()).toContain('1 comment')
    expect(label()).not.toContain('1 comments')
  })
})
