// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Comment, Proposal } from '../api'
import { CommentsView } from './comments'
import { store } from './store'
import { componentsRendered, fakeServer, settle, testContext, user } from './testing'

function comment(id: number, extra: Partial<Comment> = {}): Comment {
  return {
    id,
    proposal_id: 7,
    parent_id: null,
    depth: 0,
    state: 'published',
    body: `comment ${id}`,
    author: { id: 3, display_name: 'Ada' },
    sentiment: 'objection',
    topics: ['light'],
    anchor: null,
    agree_count: 0,
    disagree_count: 0,
    my_reaction: null,
    created_at: '2026-03-01T10:00:00Z',
    edited_at: null,
    replies: [],
    ...extra,
  } as Comment
}

const proposal = (stage: Proposal['stage'] = 'consultation') => ({ id: 7, title: 'Canal Wharf', stage }) as Proposal

function type(el: HTMLTextAreaElement, value: string) {
  el.value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}

describe('comment threads', () => {
  let host: HTMLElement
  let posted: Comment[]
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
    posted = []
  })
  afterEach(() => render(null, host))

  async function setup(who = user(['citizen'], 5), stage: Proposal['stage'] = 'consultation') {
    const roots = [comment(1, { replies: [comment(2, { parent_id: 1, depth: 1, author: { id: 5, display_name: 'Me' }, sentiment: 'supportive', topics: [] })] }), comment(3)]
    const server = fakeServer({
      'GET /api/v1/proposals/7/comments': () => ({ items: roots, total: 2, limit: 100, offset: 0 }),
      'POST /api/v1/proposals/7/comments': (req) => {
        const body = req.body as Partial<Comment> & { parent_id: number | null }
        const c = comment(10 + posted.length, { ...body, author: { id: 5, display_name: 'Me' }, depth: body.parent_id ? 1 : 0 })
        posted.push(c)
        return [201, c]
      },
      'PUT /api/v1/comments/3/reaction': () => ({ agree_count: 1, disagree_count: 0, my_reaction: 'agree' }),
    })
    const ctx = testContext(server.api, who)
    const panel = new CommentsView(ctx, proposal(stage))
    render(panel.render(), host)
    await panel.load()
    await settle()
    return { panel, ctx, server }
  }
  const $ = <T extends Element = HTMLElement>(sel: string) => host.querySelector<T>(sel)!

  it('shows the threads with replies under their comment, and offers no report of my own comment', async () => {
    await setup()
    const items = [...host.querySelectorAll('ol.thread > li.comment')]
    expect(items).toHaveLength(3)
    expect($('#comment-1').closest('li')!.querySelector('ol.thread #comment-2')).not.toBeNull()
    expect($('#comment-1').textContent).toContain('Light')
    expect($('#comment-2').querySelector('.report')).toBeNull()
    expect($('#comment-3').querySelector('.report')).not.toBeNull()
  })

  it('typing renders no component; a reply form opens under its comment and renders that item only', async () => {
    const { panel } = await setup()
    const body = $<HTMLTextAreaElement>('#comment-body-new')
    expect(await componentsRendered(() => type(body, 'Too tall for the street'))).toEqual([])
    expect(panel.draft.body.value).toBe('Too tall for the street')
    const reply = [...$('#comment-3').querySelectorAll('button')].find((b) => b.textContent === 'Reply')!
    const rendered = await componentsRendered(() => reply.click())
    expect(rendered).not.toContain('CommentsSection')
    expect(rendered.filter((n) => n === 'CommentItem')).toHaveLength(1)
    expect(host.querySelector('#comment-body-new')).toBeNull()
    // the one draft goes with the writer to the reply form
    expect($<HTMLTextAreaElement>('#comment-body-reply-3').value).toBe('Too tall for the street')
  })

  it('posts a comment with its sentiment and topics; it joins the list, the form clears, the other items keep their nodes', async () => {
    const { ctx, server } = await setup()
    const first = $('#comment-1')
    type($<HTMLTextAreaElement>('#comment-body-new'), '  Please keep the towpath open  ')
    $<HTMLInputElement>('#sent-new-supportive').click()
    $<HTMLInputElement>('#topic-new-access').click()
    $<HTMLInputElement>('#topic-new-noise').click()
    $<HTMLInputElement>('#topic-new-noise').click()
    await settle()
    $<HTMLFormElement>('form.comment-form').requestSubmit()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({
      method: 'POST',
      path: '/api/v1/proposals/7/comments',
      body: { body: 'Please keep the towpath open', sentiment: 'supportive', topics: ['access'], parent_id: null, anchor: null },
    })
    expect(ctx.announced).toContain(ctx.i18n.t('comments.posted'))
    expect($('#comment-10').textContent).toContain('Please keep the towpath open')
    expect($('#comment-1')).toBe(first)
    expect($<HTMLTextAreaElement>('#comment-body-new').value).toBe('')
    expect($<HTMLInputElement>('#sent-new-neutral').checked).toBe(true)
    expect($<HTMLInputElement>('#topic-new-access').checked).toBe(false)
    expect($('#comments-h').textContent).toContain(ctx.i18n.plural('comments.count', 4))
  })

  it('a reaction updates its counts and pressed state', async () => {
    const { server } = await setup()
    const agree = $('#comment-3').querySelector<HTMLButtonElement>('.react-agree')!
    agree.click()
    await settle()
    expect(server.requests.at(-1)).toMatchObject({ method: 'PUT', path: '/api/v1/comments/3/reaction', body: { kind: 'agree' } })
    expect(agree.getAttribute('aria-pressed')).toBe('true')
    expect(agree.textContent).toContain('(1)')
  })

  it('a live hide leaves a placeholder that keeps the reply in place; a live comment is announced', async () => {
    const { panel, ctx } = await setup()
    panel.receive({ type: 'comment_hidden', comment_id: 1, proposal_id: 7 } as never)
    panel.receive({ type: 'comment_created', proposal_id: 7, comment: comment(20, { author: { id: 9, display_name: 'Bo' } }) })
    await settle()
    expect($('#comment-1').textContent).toBe(ctx.i18n.t('comments.hiddenNotice'))
    expect($('#comment-1').closest('li')!.querySelector('#comment-2')).not.toBeNull()
    expect($('#comment-20')).not.toBeNull()
    expect(ctx.announced).toContain(ctx.i18n.t('comments.newLive', { name: 'Bo' }))
  })

  it('closed until the proposal opens for comments (no reload); anonymous visitors get the sign-in link', async () => {
    const { panel, ctx } = await setup(user(['citizen'], 5), 'assessment')
    store.user.value = undefined
    expect(host.textContent).toContain(ctx.i18n.t('comments.closed'))
    panel.update({ ...proposal('consultation') })
    await settle()
    expect(host.textContent).not.toContain(ctx.i18n.t('comments.closed'))
    expect($('.sign-in-prompt a').textContent).toBe(ctx.i18n.t('app.signInLink'))
    store.user.value = user(['citizen'], 5)
    await settle()
    expect(host.querySelector('#comment-body-new')).not.toBeNull()
  })
})
