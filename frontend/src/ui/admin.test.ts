// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditEntry, UserAdmin } from '../api'
import { AdminPanel } from './admin'
import { errorText } from './context'
import { store } from './store'
import { fakeServer, settle, testContext, user, type Request } from './testing'

function account(id: number, name: string, roles: UserAdmin['roles']): UserAdmin {
  return { id, email: `${name.toLowerCase()}@example.org`, display_name: name, roles, is_active: true, created_at: '2026-01-05T10:00:00Z' }
}

describe('admin panel', () => {
  let host: HTMLElement
  let accounts: UserAdmin[]
  let log: AuditEntry[]
  beforeEach(() => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
    accounts = [account(1, 'Admin', ['citizen', 'admin']), account(2, 'Ada', ['citizen'])]
    log = []
  })
  afterEach(() => render(null, host))

  function setup() {
    const server = fakeServer({
      'GET /api/v1/users': (req: Request) => {
        const q = (req.query.get('q') ?? '').toLowerCase()
        const items = accounts.filter((u) => !q || u.display_name.toLowerCase().includes(q))
        return { items, total: items.length, limit: 20, offset: 0, next: null, prev: null }
      },
      'PUT /api/v1/users/2/roles': (req: Request) => {
        const roles = (req.body as { roles: UserAdmin['roles'] }).roles
        accounts[1] = { ...accounts[1], roles }
        log = [{ id: 1, at: '2026-02-01T09:00:00Z', actor: { id: 1, display_name: 'Admin' }, action: 'roles.set', entity_type: 'user', entity_id: '2', reason: null, details: { before: ['citizen'], after: roles } }]
        return accounts[1]
      },
      'GET /api/v1/audit-log': (req: Request) => {
        const actor = req.query.get('actor_id')
        const items = log.filter((e) => !actor || String(e.actor?.id) === actor)
        return { items, total: items.length, limit: 20, offset: 0, next: null, prev: null }
      },
    })
    const ctx = testContext(server.api, user(['citizen', 'admin'], 1))
    const panel = new AdminPanel(ctx)
    render(panel.render(), host)
    return { panel, ctx, server }
  }

  it('gives a role only after the confirmation, then shows it and the audit entry', async () => {
    const { panel, ctx, server } = setup()
    await panel.load()
    await settle()
    const box = host.querySelector<HTMLInputElement>('#admin-role-2-moderator')!
    expect(box.checked).toBe(false)
    box.click()
    await settle()
    // nothing sent yet: a confirmation asks first, with the focus on its button
    expect(server.requests.some((r) => r.method === 'PUT')).toBe(false)
    expect(host.querySelector('[role=alertdialog]')!.textContent).toContain('Give Ada the role moderator?')
    expect(document.activeElement?.id).toBe('admin-confirm')
    host.querySelector<HTMLButtonElement>('#admin-confirm')!.click()
    await settle()
    expect(server.requests.find((r) => r.method === 'PUT')).toMatchObject({ path: '/api/v1/users/2/roles', body: { roles: ['citizen', 'moderator'] } })
    expect(host.querySelector<HTMLInputElement>('#admin-role-2-moderator')!.checked).toBe(true)
    expect(host.querySelector('[role=alertdialog]')).toBeNull()
    expect(ctx.announced.at(-1)).toBe('Roles of Ada: citizen, moderator.')
    expect(host.querySelector('.audit-entry')!.textContent).toContain('roles changed')
    expect(host.querySelector('.audit-entry')!.textContent).toContain('citizen → citizen, moderator')
  })

  it('cancels with Escape, and never offers to remove your own admin role', async () => {
    const { panel, server } = setup()
    await panel.load()
    await settle()
    const own = host.querySelector<HTMLInputElement>('#admin-role-1-admin')!
    expect(own.checked && own.disabled).toBe(true)
    expect(host.querySelector(`#${own.getAttribute('aria-describedby')}`)!.textContent).toContain('cannot be removed')
    host.querySelector<HTMLInputElement>('#admin-role-2-planner')!.click()
    await settle()
    host.querySelector('[role=alertdialog]')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }))
    await settle()
    expect(host.querySelector('[role=alertdialog]')).toBeNull()
    expect(host.querySelector<HTMLInputElement>('#admin-role-2-planner')!.checked).toBe(false)
    expect(document.activeElement?.id).toBe('admin-role-2-planner')
    expect(server.requests.some((r) => r.method === 'PUT')).toBe(false)
  })

  it('searches by name and filters the audit log by account', async () => {
    const { panel, server } = setup()
    await panel.load()
    await settle()
    const q = host.querySelector<HTMLInputElement>('#admin-q')!
    q.value = 'ad'
    host.querySelector('form.admin-search')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }))
    await settle()
    expect(server.requests.filter((r) => r.path === '/api/v1/users').at(-1)!.query.get('q')).toBe('ad')
    ;[...host.querySelectorAll<HTMLButtonElement>('button.link')].find((b) => b.textContent === 'Actions of Ada')!.click()
    await settle()
    expect(server.requests.filter((r) => r.path === '/api/v1/audit-log').at(-1)!.query.get('actor_id')).toBe('2')
    expect(host.querySelector<HTMLInputElement>('#audit-actor')!.value).toBe('2')
  })

  it('is not shown to a moderator', async () => {
    const { panel, ctx } = setup()
    store.user.value = user(['moderator'], 5)
    await panel.load()
    await settle()
    expect(host.textContent).toContain(ctx.i18n.t('admin.notAllowed'))
  })
})

describe('errorText', () => {
  it('says an API error in the UI language from its key and params', () => {
    store.locale.value = 'it'
    const err = Object.assign(new Error('body: 5001 characters is longer than the limit of 5000'), { key: 'text_too_long', params: { field: 'body', max: 5000 } })
    expect(errorText(err)).toBe('Commento: al massimo 5000 caratteri.')
    store.locale.value = 'en'
  })
})
