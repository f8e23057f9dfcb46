// @vitest-environment happy-dom
/** Comments on a design variant (issue 14): the form's picker and the list's "on variant". */
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Comment, Proposal } from '../api'
import { CommentsView } from './comments'
import { resetStore, store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

const proposal = { id: 7, title: 'Canal Wharf', stage: 'consultation' } as Proposal
const items = [
  { id: 21, name: 'A: one tower', description: 'Forty metres.' },
  { id: 22, name: 'B: two wings', description: 'Lower, stepped.' },
]

function comment(id: number, extra: Partial<Comment> = {}): Comment {
  return {
    id,
    proposal_id: 7,
    parent_id: null,
    depth: 0,
    state: 'published',
    body: `comment ${id}`,
    author: { id: 3, display_name: 'Ada' },
    sentiment: 'neutral',
    topics: [],
    anchor: null,
    agree_count: 0,
    disagree_count: 0,
    my_reaction: null,
    created_at: '2026-03-01T10:00:00Z',
    edited_at: null,
    variant_id: null,
    replies: [],
    ...extra,
  } as Comment
}

describe('a comment on a design variant', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })
  afterEach(() => {
    render(null, host)
    resetStore()
  })

  async function setup() {
    let n = 0
    const server = fakeServer({
      'GET /api/v1/proposals/7/comments': () => ({ items: [comment(1, { variant_id: 22 }), comment(2)], total: 2, limit: 100, offset: 0 }),
      'POST /api/v1/proposals/7/comments': (req) => [201, comment(10 + n++, req.body as Partial<Comment>)],
    })
    const ctx = testContext(server.api, user(['citizen'], 5))
    const panel = new CommentsView(ctx, proposal)
    render(panel.render(), host)
    await panel.load()
    await settle()
    return { panel, ctx, server }
  }
  const $ = <T extends Element = HTMLElement>(sel: string) => host.querySelector<T>(sel)!
  const post = async (text: string) => {
    const body = $<HTMLTextAreaElement>('#comment-body-new')
    body.value = text
    body.dispatchEvent(new Event('input', { bubbles: true }))
    $<HTMLFormElement>('form.comment-form').requestSubmit()
    await settle()
  }

  it('offers no picker for a proposal without variants, and posts no variant', async () => {
    const { server } = await setup()
    expect($('#comment-variant')).toBeNull()
    await post('Fine')
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', body: { variant_id: null } })
  })

  it('a labelled picker: the scheme as a whole and each variant, the one shown in 3D pre-selected', async () => {
    const { ctx, server } = await setup()
    store.variants.value = { proposalId: 7, items }
    await settle()
    const select = $<HTMLSelectElement>('#comment-variant')
    expect(host.querySelector(`label[for="comment-variant"]`)!.textContent).toBe(ctx.i18n.t('comments.aboutVariant'))
    expect([...select.options].map((o) => o.textContent)).toEqual([ctx.i18n.t('comments.wholeScheme'), 'A: one tower', 'B: two wings'])
    expect(select.value).toBe('')
    // B shown alone in 3D: the form follows it; in the split view it is about neither
    store.variants.value = { proposalId: 7, items, left: 22 }
    await settle()
    expect(select.value).toBe('22')
    store.variants.value = { proposalId: 7, items, left: 21, right: 22 }
    await settle()
    expect(select.value).toBe('')
    // another proposal's variants are not this one's
    store.variants.value = { proposalId: 8, items, left: 22 }
    await settle()
    expect($('#comment-variant')).toBeNull()
    store.variants.value = { proposalId: 7, items, left: 22 }
    await settle()
    await post('B is better')
    expect(server.requests.at(-1)).toMatchObject({ method: 'POST', body: { body: 'B is better', variant_id: 22 } })
  })

  it('a variant picked stays picked whatever is shown, and the whole scheme can be picked; the form then follows the view again', async () => {
    const { server } = await setup()
    store.variants.value = { proposalId: 7, items, left: 22 }
    await settle()
    const select = $<HTMLSelectElement>('#comment-variant')
    select.value = ''
    select.dispatchEvent(new Event('change', { bubbles: true }))
    store.variants.value = { proposalId: 7, items, left: 21 }
    await settle()
    expect(select.value).toBe('')
    await post('On the scheme')
    expect(server.requests.at(-1)).toMatchObject({ body: { variant_id: null } })
    expect($<HTMLSelectElement>('#comment-variant').value).toBe('21')
    $<HTMLSelectElement>('#comment-variant').value = '22'
    $<HTMLSelectElement>('#comment-variant').dispatchEvent(new Event('change', { bubbles: true }))
    await post('On B')
    expect(server.requests.at(-1)).toMatchObject({ body: { variant_id: 22 } })
  })

  it('the list says which variant a comment is about; a reply has no picker', async () => {
    const { ctx } = await setup()
    expect($('#comment-1 .on-variant')).toBeNull() // the variants are not known yet
    store.variants.value = { proposalId: 7, items }
    await settle()
    expect($('#comment-1 .meta .on-variant').textContent).toBe(` · ${ctx.i18n.t('comments.onVariant', { name: 'B: two wings' })}`)
    expect($('#comment-1 .meta').textContent).toMatch(/Ada, .* · on variant B: two wings$/)
    expect($('#comment-2 .on-variant')).toBeNull()
    ;[...$('#comment-2').querySelectorAll('button')].find((b) => b.textContent === ctx.i18n.t('comments.reply'))!.click()
    await settle()
    expect(host.querySelectorAll('#comment-variant')).toHaveLength(0)
  })
})
