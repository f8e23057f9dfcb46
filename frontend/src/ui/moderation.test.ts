// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ModeratedComment } from '../api'
import { ModerationPanel } from './moderation'
import { store } from './store'
import { fakeServer, settle, testContext, user } from './testing'

function comment(id: number, state: ModeratedComment['state'], extra: Partial<ModeratedComment> = {}): ModeratedComment {
  return {
    id,
    proposal_id: 7,
    parent_id: null,
    depth: 0,
    state,
    body: `comment ${id}`,
    author: { id: 3, display_name: 'Ada' },
    sentiment: 'objection',
    topics: [],
    anchor: null,
    agree_count: 0,
    disagree_count: 0,
    created_at: '2026-03-01T10:00:00Z',
    edited_at: null,
    hidden_reason: state === 'hidden' ? 'abusive' : null,
    report_count: state === 'hidden' ? 3 : 1,
    ...extra,
  } as ModeratedComment
}

describe('moderation panel', () => {
  let host: HTMLElement
  let queue: ModeratedComment[]
  let hidden: ModeratedComment[]
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
    queue = [comment(11, 'published')]
    hidden = [comment(12, 'hidden')]
  })
  afterEach(() => render(null, host))

  function setup(roles: Parameters<typeof user>[0] = ['moderator']) {
    const server = fakeServer({
      'GET /api/v1/moderation/queue': () => ({
        items: queue.map((c) => ({ comment: c, reports: [{ id: 1, comment_id: c.id, reason: 'spam', details: '', created_at: c.created_at, reporter: null }], first_reported_at: c.created_at })),
      }),
      'GET /api/v1/moderation/hidden': () => ({ items: hidden }),
      'GET /api/v1/proposals/7': () => ({ id: 7, title: 'Canal Wharf' }),
      'POST /api/v1/moderation/comments/11/hide': () => {
        const c = queue.shift()!
        hidden = [{ ...c, state: 'hidden', hidden_reason: 'rude' }, ...hidden]
        return hidden[0]
      },
    })
    const ctx = testContext(server.api, user(roles))
    const panel = new ModerationPanel(ctx)
    render(panel.render(), host)
    return { panel, ctx, server }
  }

  it('lists the queue and the hidden comments, each naming its proposal', async () => {
    const { panel } = setup()
    await panel.load()
    await settle()
    const cards = [...host.querySelectorAll('li.card')]
    expect(cards).toHaveLength(2)
    expect(cards[0].querySelector('.mod-proposal')!.textContent).toContain('Canal Wharf')
    expect(cards[0].textContent).toContain('Spam ×1')
    expect(cards[1].classList.contains('mod-hidden')).toBe(true)
    expect(cards[1].textContent).toContain('Restore')
  })

  it('hides a reported comment with the typed reason; it moves to the hidden list and the field keeps its node', async () => {
    const { panel, ctx, server } = setup()
    await panel.load()
    await settle()
    const refresh = host.querySelector<HTMLButtonElement>('#mod-refresh')!
    const input = host.querySelector<HTMLInputElement>('#mod-reason-11')!
    input.value = 'rude'
    input.dispatchEvent(new Event('input', { bubbles: true }))
    const hide = [...host.querySelectorAll('button')].find((b) => b.textContent === 'Hide')!
    hide.click()
    await settle()
    expect(server.requests.find((r) => r.method === 'POST')).toMatchObject({ path: '/api/v1/moderation/comments/11/hide', body: { reason: 'rude' } })
    expect(ctx.announced).toContain(ctx.i18n.t('mod.done'))
    expect(host.querySelectorAll('li.mod-item:not(.mod-hidden)')).toHaveLength(0)
    expect(host.querySelectorAll('li.mod-hidden')).toHaveLength(2)
    // Preact diffs: the button above the lists is the same node after the reload
    expect(host.querySelector('#mod-refresh')).toBe(refresh)
  })

  it('asks for a reason instead of sending an empty one', async () => {
    const { panel, ctx, server } = setup()
    await panel.load()
    await settle()
    ;[...host.querySelectorAll('button')].find((b) => b.textContent === 'Hide')!.click()
    await settle()
    expect(ctx.announced).toEqual([ctx.i18n.t('mod.reasonNeeded')])
    expect(server.requests.some((r) => r.method === 'POST')).toBe(false)
    expect(document.activeElement?.id).toBe('mod-reason-11')
  })

  it('follows the store: signing out shows the not-allowed text', async () => {
    const { panel, ctx } = setup()
    await panel.load()
    await settle()
    store.user.value = undefined
    await settle()
    expect(host.textContent).toContain(ctx.i18n.t('mod.notAllowed'))
  })
})
