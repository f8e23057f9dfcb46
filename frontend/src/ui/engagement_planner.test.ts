// @vitest-environment happy-dom
import { h, render } from 'preact'
import { beforeEach, describe, expect, it } from 'vitest'
import type { Comment, Proposal } from '../api'
import type { OfficialResponse, Question, Theme, YouSaidWeDid } from '../api/engagement'
import { EngagementPanel, EngagementSections } from './engagement'
import { fakeServer, settle, testContext, user, type Request } from './testing'

const proposal = { id: 7, title: 'Lantern Court', stage: 'consultation', site_boundary: null, site_address: '1 Test Street' } as unknown as Proposal

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
    topics: [],
    anchor: null,
    agree_count: 0,
    disagree_count: 0,
    created_at: '2026-03-01T10:00:00Z',
    edited_at: null,
    ...extra,
  } as Comment
}

/** A small in-memory backend for the responses and questionnaire routes, keeping state. */
function backend() {
  const themes: Theme[] = []
  const responses: OfficialResponse[] = []
  let questions: Question[] = []
  const reply = (req: Request, target: { comment_id: number | null; theme_id: number | null }): OfficialResponse => {
    const b = req.body as Pick<OfficialResponse, 'body' | 'disposition' | 'change_made' | 'reason'>
    return { id: responses.length + 1, proposal_id: 7, official: true, responder: 'Planning team', created_at: '2026-03-02T10:00:00Z', updated_at: '2026-03-02T10:00:00Z', ...target, ...b }
  }
  const said = (): YouSaidWeDid => ({
    proposal_id: 7,
    themes,
    responses,
    changes: [...responses, ...themes.map((t) => t.response)].flatMap((r) => (r?.change_made ? [r.change_made] : [])),
    counts: { noted: 0, scheme_changed: 0, not_taken_forward: 0, no_response: 3 },
  })
  const server = fakeServer({
    'GET /api/v1/proposals/7/variants': () => ({ items: [], my_preference: null }),
    'GET /api/v1/proposals/7/questionnaire': () => ({ proposal_id: 7, questions, answered: false, submissions: 0 }),
    'PUT /api/v1/proposals/7/questionnaire': (req) => {
      const body = req.body as { questions: Omit<Question, 'id' | 'position'>[] }
      questions = body.questions.map((q, i) => ({ ...q, id: 100 + i, position: i }) as Question)
      return { proposal_id: 7, questions, answered: false, submissions: 0 }
    },
    'GET /api/v1/proposals/7/questionnaire/results': () => ({ proposal_id: 7, submissions: 0, questions: [] }),
    'GET /api/v1/proposals/7/you-said-we-did': said,
    'GET /api/v1/proposals/7/timeline': () => ({ proposal_id: 7, items: [] }),
    'GET /api/v1/me/follows': () => [],
    'GET /api/v1/proposals/7/comments': () => ({ items: [comment(11), comment(12), comment(13), comment(14, { parent_id: 11, depth: 1 })], total: 4, limit: 100, offset: 0, next: null, prev: null }),
    'POST /api/v1/proposals/7/themes': (req) => {
      const b = req.body as { title: string; comment_ids: number[] }
      const theme: Theme = { id: 3, proposal_id: 7, title: b.title, comment_ids: b.comment_ids, response: null, created_at: '2026-03-02T09:00:00Z' }
      themes.push(theme)
      return [201, theme]
    },
    'DELETE /api/v1/themes/3': () => {
      themes.splice(0, 1)
      return [204, null]
    },
    'PUT /api/v1/comments/13/response': (req) => {
      const r = reply(req, { comment_id: 13, theme_id: null })
      responses.push(r)
      return r
    },
    'PUT /api/v1/themes/3/response': (req) => {
      const r = reply(req, { comment_id: null, theme_id: 3 })
      themes[0].response = r
      return r
    },
  })
  return { server, themes, responses }
}

const $ = (host: HTMLElement, sel: string) => {
  const el = host.querySelector<HTMLElement>(sel)
  if (!el) throw new Error(`no ${sel} in ${host.innerHTML.slice(0, 400)}`)
  return el
}
function type(el: HTMLElement, value: string) {
  ;(el as HTMLInputElement).value = value
  el.dispatchEvent(new Event('input', { bubbles: true }))
}
const sent = (reqs: Request[], method: string) => reqs.filter((r) => r.method === method)

describe('the planner answers as the council', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })

  async function open(roles: Parameters<typeof user>[0]) {
    const b = backend()
    const ctx = testContext(b.server.api, user(roles))
    const panel = new EngagementPanel(ctx)
    render(h(EngagementSections, { panel, p: proposal }), host)
    await settle()
    await settle()
    return { ...b, ctx, panel }
  }

  it('lists the published top-level comments and groups the selected ones into a theme', async () => {
    const { server, ctx } = await open(['planner'])
    const items = host.querySelectorAll('#planner-comments > li')
    expect([...items].map((li) => li.querySelector('input')!.id)).toEqual(['pick-11', 'pick-12', 'pick-13']) // the reply 14 is not listed
    // nothing selected: no request, the planner is told
    ;($(host, '#theme-form') as HTMLFormElement).requestSubmit()
    await settle()
    expect($(host, '[role=alert]').textContent).toBe('Select at least one comment for the theme.')
    expect(sent(server.requests, 'POST')).toEqual([])
    $(host, '#pick-11').click()
    $(host, '#pick-12').click()
    await settle()
    expect($(host, '#theme-title-hint').textContent).toBe('2 comments selected above.')
    type($(host, '#theme-title'), 'Overshadowing of the school')
    ;($(host, '#theme-form') as HTMLFormElement).requestSubmit()
    await settle()
    await settle()
    expect(sent(server.requests, 'POST').at(-1)).toMatchObject({ path: '/api/v1/proposals/7/themes', body: { title: 'Overshadowing of the school', comment_ids: [11, 12] } })
    expect($(host, '#planner-themes').textContent).toContain('Overshadowing of the school')
    expect($(host, '#planner-themes').textContent).toContain('2 comments')
    expect(host.querySelector('#planner-comments')!.textContent).toContain('in theme “Overshadowing of the school”')
    expect(ctx.announced.at(-1)).toBe('Theme “Overshadowing of the school” made with 2 comments.')
    // deleting it keeps the comments
    $(host, '#delete-theme-3').click()
    await settle()
    await settle()
    expect(sent(server.requests, 'DELETE').at(-1)!.path).toBe('/api/v1/themes/3')
    expect(host.querySelector('#planner-themes')).toBeNull()
    expect(host.querySelectorAll('#planner-comments > li').length).toBe(3)
  })

  it('answers a comment: the disposition asks for what changed, and the answer shows as official', async () => {
    const { server } = await open(['planner'])
    $(host, '#respond-13').click()
    await settle()
    expect(document.activeElement?.id).toBe('response-body')
    expect($(host, '#response-form-h').textContent).toBe('Official response: On comment 13')
    // empty body: named, focused, nothing sent
    ;($(host, '#response-form') as HTMLFormElement).requestSubmit()
    await settle()
    expect($(host, '[role=alert]').textContent).toBe('Write the response before publishing it.')
    type($(host, '#response-body'), 'We asked the architects to step back the west block.')
    $(host, '#disposition-scheme_changed').click()
    await settle()
    ;($(host, '#response-form') as HTMLFormElement).requestSubmit()
    await settle()
    expect($(host, '[role=alert]').textContent).toBe('Say what changed in the scheme.')
    expect(document.activeElement?.id).toBe('response-change')
    expect(sent(server.requests, 'PUT')).toEqual([])
    type($(host, '#response-change'), 'West block reduced from 9 to 7 storeys.')
    ;($(host, '#response-form') as HTMLFormElement).requestSubmit()
    await settle()
    await settle()
    expect(sent(server.requests, 'PUT').at(-1)).toMatchObject({
      path: '/api/v1/comments/13/response',
      body: { body: 'We asked the architects to step back the west block.', disposition: 'scheme_changed', change_made: 'West block reduced from 9 to 7 storeys.', reason: null },
    })
    expect(host.querySelector('#response-form')).toBeNull()
    // the planner's list and the public section both show it
    expect($(host, '#planner-comments').textContent).toContain('scheme changed')
    const said = $(host, '#proposal-said')
    expect(said.textContent).toContain('Official response from Planning team')
    expect(said.textContent).toContain('What changed: West block reduced from 9 to 7 storeys.')
    expect($(host, '#respond-13').textContent).toBe('Change the response')
  })

  it('answers a theme as not taken forward with its reason', async () => {
    const { server } = await open(['planner'])
    $(host, '#pick-12').click()
    await settle()
    type($(host, '#theme-title'), 'Parking')
    ;($(host, '#theme-form') as HTMLFormElement).requestSubmit()
    await settle()
    await settle()
    $(host, '#respond-theme-3').click()
    await settle()
    type($(host, '#response-body'), 'Parking levels follow the city plan.')
    $(host, '#disposition-not_taken_forward').click()
    await settle()
    expect(host.querySelector('#response-change')).toBeNull()
    ;($(host, '#response-form') as HTMLFormElement).requestSubmit()
    await settle()
    expect(document.activeElement?.id).toBe('response-reason')
    type($(host, '#response-reason'), 'The site is within 400 m of the tram.')
    ;($(host, '#response-form') as HTMLFormElement).requestSubmit()
    await settle()
    await settle()
    expect(sent(server.requests, 'PUT').at(-1)).toMatchObject({
      path: '/api/v1/themes/3/response',
      body: { disposition: 'not_taken_forward', reason: 'The site is within 400 m of the tram.', change_made: null },
    })
    expect($(host, '#planner-themes').textContent).toContain('not taken forward')
    expect($(host, '#proposal-said').textContent).toContain('Why: The site is within 400 m of the tram.')
  })

  it('is not shown to a citizen', async () => {
    const { server } = await open(['citizen'])
    expect(host.querySelector('#planner-loop')).toBeNull()
    expect(host.querySelector('#question-editor')).toBeNull()
    expect(server.requests.some((r) => r.path.endsWith('/comments'))).toBe(false)
  })
})

describe('the questionnaire editor', () => {
  let host: HTMLElement
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
  })

  it('adds questions of each kind, names what is missing, and publishes them in order', async () => {
    const { server } = backend()
    const ctx = testContext(server.api, user(['planner']))
    const panel = new EngagementPanel(ctx)
    render(h(EngagementSections, { panel, p: proposal }), host)
    await settle()
    await settle()
    expect($(host, '#question-editor').textContent).toContain('No questions yet.')
    $(host, '#qe-add').click()
    await settle()
    const first = host.querySelector<HTMLInputElement>('[id$=-prompt]')!
    expect(document.activeElement).toBe(first)
    const k1 = first.id.replace(/-prompt$/, '')
    type(first, 'Which variant do you prefer?')
    type($(host, `#${k1}-options`), 'Tower\n')
    ;($(host, '#question-editor-form') as HTMLFormElement).requestSubmit()
    await settle()
    expect($(host, '#question-editor [role=alert]').textContent).toBe('Question 1 needs 2 to 12 options, one per line.')
    expect(document.activeElement?.id).toBe(`${k1}-options`)
    type($(host, `#${k1}-options`), 'Tower\n\nTerraces')
    $(host, '#qe-add').click()
    await settle()
    const k2 = [...host.querySelectorAll<HTMLInputElement>('[id$=-prompt]')][1].id.replace(/-prompt$/, '')
    const kind = $(host, `#${k2}-kind`) as HTMLSelectElement
    kind.value = 'rating'
    kind.dispatchEvent(new Event('change', { bubbles: true }))
    await settle()
    expect(host.querySelector(`#${k2}-options`)).toBeNull()
    type($(host, `#${k2}-prompt`), 'How well does it fit the street?')
    type($(host, `#${k2}-rating`), '7')
    $(host, `#${k2}-required`).click()
    // move the rating first
    $(host, `#${k2}-up`).click()
    await settle()
    ;($(host, '#question-editor-form') as HTMLFormElement).requestSubmit()
    await settle()
    await settle()
    expect(sent(server.requests, 'PUT').at(-1)).toMatchObject({
      path: '/api/v1/proposals/7/questionnaire',
      body: {
        questions: [
          { kind: 'rating', prompt: 'How well does it fit the street?', options: [], required: true, rating_max: 7 },
          { kind: 'single', prompt: 'Which variant do you prefer?', options: ['Tower', 'Terraces'], required: false, rating_max: 5 },
        ],
      },
    })
    expect($(host, '#question-editor [role=status]').textContent).toBe('2 questions saved and published.')
    // the citizen's form above shows the published questions
    expect($(host, '#proposal-questionnaire').textContent).toContain('How well does it fit the street?')
  })
})
