/**
 * Administration (admins only): accounts searched by name or e-mail and paged, their roles given
 * or taken with a confirmation (never your own administrator role), and the audit log paged and
 * filtered by account, action and days. The tab is shown to admins only (app.ts).
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useEffect, useRef } from 'preact/hooks'
import type { AuditEntry, AuditQuery, Id, Role, UserAdmin } from '../api'
import { formatDate, formatDateTime } from '../i18n/format'
import type { MessageKey } from '../i18n'
import { field } from './components'
import { errorText, type AppContext } from './context'
import { store } from './store'

export const ADMIN_ROLES: readonly Role[] = ['citizen', 'sme', 'planner', 'moderator', 'admin']
/** the actions a filter offers: the ones the backend records, and whole areas (`comment.`) */
export const AUDIT_ACTIONS = ['roles.set', 'roles.create_admin', 'account.delete', 'comment.', 'comment.hide', 'comment.restore', 'comment.auto_hide', 'comment.delete', 'report.dismiss', 'proposal.', 'opportunity.'] as const
export const USERS_PAGE = 20
export const AUDIT_PAGE = 20

interface Pending {
  user: UserAdmin
  role: Role
  grant: boolean
}

export interface AuditFilters {
  actor: string
  action: string
  since: string
  until: string
}

export class AdminPanel {
  readonly users = signal<UserAdmin[]>([])
  readonly usersTotal = signal(0)
  readonly usersOffset = signal(0)
  readonly query = signal('')
  readonly entries = signal<AuditEntry[]>([])
  readonly entriesTotal = signal(0)
  readonly entriesOffset = signal(0)
  readonly filters = signal<AuditFilters>({ actor: '', action: '', since: '', until: '' })
  /** the role change waiting for its confirmation */
  readonly pending = signal<Pending | undefined>(undefined)
  readonly loaded = signal(false)
  readonly error = signal<string | undefined>(undefined)
  readonly auditError = signal<string | undefined>(undefined)

  constructor(readonly ctx: AppContext) {}

  async load() {
    if (!store.user.value?.roles.includes('admin')) return
    await Promise.all([this.loadUsers(), this.loadAudit()])
    this.loaded.value = true
  }

  async loadUsers(offset = this.usersOffset.value) {
    try {
      const q = this.query.value.trim()
      const page = await this.ctx.api.users({ q: q || undefined, limit: USERS_PAGE, offset })
      this.users.value = page.items
      this.usersTotal.value = page.total
      this.usersOffset.value = offset
      this.error.value = undefined
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  search(q: string) {
    this.query.value = q
    return this.loadUsers(0)
  }

  /** Ask to give or take a role; nothing changes until `confirm`. */
  ask(user: UserAdmin, role: Role, grant: boolean) {
    this.pending.value = { user, role, grant }
  }

  cancel() {
    const p = this.pending.value
    this.pending.value = undefined
    if (p) document.getElementById(roleId(p.user.id, p.role))?.focus()
  }

  async confirm() {
    const p = this.pending.value
    if (!p) return
    const { t } = this.ctx.i18n
    const roles = p.grant ? [...new Set([...p.user.roles, p.role])] : p.user.roles.filter((r) => r !== p.role)
    try {
      const changed = await this.ctx.api.setUserRoles(p.user.id, roles)
      this.users.value = this.users.value.map((u) => (u.id === changed.id ? changed : u))
      this.pending.value = undefined
      this.ctx.announce(t('admin.changed', { name: changed.display_name, roles: changed.roles.map((r) => t(`role.${r}`)).join(', ') }))
      document.getElementById(roleId(p.user.id, p.role))?.focus()
      await this.loadAudit(0)
    } catch (err) {
      this.pending.value = undefined
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  async loadAudit(offset = this.entriesOffset.value) {
    const f = this.filters.value
    const query: AuditQuery = { limit: AUDIT_PAGE, offset }
    const actor = Number(f.actor)
    if (f.actor.trim() && Number.isInteger(actor) && actor > 0) query.actor_id = actor
    if (f.action) query.action = f.action
    if (f.since) query.since = f.since
    if (f.until) query.until = f.until
    try {
      const page = await this.ctx.api.auditLog(query)
      this.entries.value = page.items
      this.entriesTotal.value = page.total
      this.entriesOffset.value = offset
      this.auditError.value = undefined
    } catch (err) {
      this.auditError.value = errorText(err)
    }
  }

  filter(change: Partial<AuditFilters>) {
    this.filters.value = { ...this.filters.value, ...change }
  }

  /** Show what one account did. */
  actionsOf(user: UserAdmin) {
    this.filter({ actor: String(user.id) })
    void this.loadAudit(0).then(() => document.getElementById('audit-h')?.focus())
  }

  render(): JSX.Element {
    return h(AdminView, { panel: this })
  }
}

function roleId(userId: Id, role: Role) {
  return `admin-role-${userId}-${role}`
}

export function AdminView({ panel }: { panel: AdminPanel }) {
  const { t } = panel.ctx.i18n
  const me = store.user.value
  if (!me?.roles.includes('admin')) return h('section', {}, h('h2', {}, t('admin.heading')), h('p', {}, t('admin.notAllowed')))
  return h('div', { class: 'admin' }, h(UsersView, { panel }), h(AuditView, { panel }))
}

function PageNav({ panel, total, offset, size, onPage, id }: { panel: AdminPanel; total: number; offset: number; size: number; onPage: (offset: number) => void; id: string }) {
  const { t } = panel.ctx.i18n
  if (total <= size && offset === 0) return null
  const tag = panel.ctx.i18n.tag
  const n = (v: number) => new Intl.NumberFormat(tag).format(v)
  return h(
    'div',
    { class: 'pager', id },
    h('button', { type: 'button', id: `${id}-prev`, disabled: offset === 0, onClick: () => onPage(Math.max(0, offset - size)) }, t('admin.prev')),
    h('span', { class: 'muted' }, t('admin.range', { from: n(Math.min(total, offset + 1)), to: n(Math.min(total, offset + size)), total: n(total) })),
    h('button', { type: 'button', id: `${id}-next`, disabled: offset + size >= total, onClick: () => onPage(offset + size) }, t('admin.next')),
  )
}

function UsersView({ panel }: { panel: AdminPanel }) {
  const { t, plural, tag } = panel.ctx.i18n
  const me = store.user.value!
  const users = panel.users.value
  const pending = panel.pending.value
  return h(
    'section',
    { 'aria-labelledby': 'admin-h' },
    h('h2', { id: 'admin-h' }, t('admin.heading')),
    h(
      'form',
      {
        class: 'admin-search',
        role: 'search',
        onSubmit: (e: Event) => {
          e.preventDefault()
          const input = (e.currentTarget as HTMLFormElement).querySelector<HTMLInputElement>('#admin-q')
          void panel.search(input?.value ?? '')
        },
      },
      field(t('admin.search'), h('input', { type: 'search', id: 'admin-q', maxLength: 100, value: panel.query.value, autocomplete: 'off' })),
      h('button', { type: 'submit', id: 'admin-search' }, t('admin.searchButton')),
    ),
    panel.error.value ? h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: panel.error.value })) : null,
    !panel.loaded.value
      ? h('p', { role: 'status' }, t('app.loading'))
      : h('p', { class: 'muted', role: 'status' }, users.length ? plural('admin.users', panel.usersTotal.value) : t('admin.none')),
    users.length
      ? h(
          'ul',
          { class: 'cards admin-users', 'aria-labelledby': 'admin-h' },
          users.map((u) =>
            h(
              'li',
              { key: u.id, class: 'card admin-user', id: `admin-user-${u.id}` },
              h('p', {}, h('strong', {}, u.display_name), ' ', h('span', { class: 'muted' }, `#${u.id}`)),
              h('p', { class: 'muted wrap' }, u.email ?? '', ' · ', t('admin.since', { date: formatDate(u.created_at, tag) })),
              h(
                'fieldset',
                { class: 'roles' },
                h('legend', {}, t('admin.rolesOf', { name: u.display_name })),
                ADMIN_ROLES.map((r) => {
                  const mine = u.id === me.id && r === 'admin'
                  const id = roleId(u.id, r)
                  return h(
                    'span',
                    { key: r, class: 'role-choice' },
                    h('input', {
                      type: 'checkbox',
                      id,
                      checked: u.roles.includes(r),
                      disabled: mine,
                      'aria-describedby': mine ? `admin-own-${u.id}` : undefined,
                      onChange: (e: Event) => {
                        const box = e.target as HTMLInputElement
                        const grant = box.checked
                        box.checked = !grant // the change waits for its confirmation
                        panel.ask(u, r, grant)
                      },
                    }),
                    h('label', { for: id }, t(`role.${r}`)),
                  )
                }),
                u.id === me.id ? h('p', { class: 'hint', id: `admin-own-${u.id}` }, t('admin.ownAdminHint')) : null,
              ),
              pending && pending.user.id === u.id ? h(Confirm, { panel, pending }) : null,
              h('button', { type: 'button', class: 'link', onClick: () => panel.actionsOf(u) }, t('admin.theirActions', { name: u.display_name })),
            ),
          ),
        )
      : null,
    h(PageNav, { panel, id: 'admin-users-pages', total: panel.usersTotal.value, offset: panel.usersOffset.value, size: USERS_PAGE, onPage: (o: number) => void panel.loadUsers(o) }),
  )
}

function Confirm({ panel, pending }: { panel: AdminPanel; pending: Pending }) {
  const { t } = panel.ctx.i18n
  const ref = useRef<HTMLButtonElement>(null)
  useEffect(() => ref.current?.focus(), [pending])
  const role = t(`role.${pending.role}`)
  const question = pending.grant ? t('admin.grant', { name: pending.user.display_name, role }) : t('admin.revoke', { name: pending.user.display_name, role })
  return h(
    'div',
    {
      class: 'confirm',
      role: 'alertdialog',
      'aria-labelledby': 'admin-confirm-q',
      onKeyDown: (e: KeyboardEvent) => {
        if (e.key === 'Escape') panel.cancel()
      },
    },
    h('p', { id: 'admin-confirm-q' }, question),
    h('button', { type: 'button', id: 'admin-confirm', ref, onClick: () => void panel.confirm() }, t('admin.confirm')),
    h('button', { type: 'button', id: 'admin-cancel', onClick: () => panel.cancel() }, t('app.cancel')),
  )
}

function actionLabel(t: (k: MessageKey) => string, action: string): string {
  const key = `audit.${action}` as MessageKey
  const text = t(key)
  return text === key ? action : text
}

function AuditView({ panel }: { panel: AdminPanel }) {
  const { t, plural, tag } = panel.ctx.i18n
  const f = panel.filters.value
  const entries = panel.entries.value
  const entity = (e: AuditEntry) => {
    const key = `admin.entity.${e.entity_type}` as MessageKey
    const type = t(key) === key ? e.entity_type : t(key)
    return t('admin.entity', { type, id: e.entity_id })
  }
  return h(
    'section',
    { 'aria-labelledby': 'audit-h', class: 'audit' },
    h('h2', { id: 'audit-h', tabIndex: -1 }, t('admin.auditHeading')),
    h(
      'form',
      {
        class: 'audit-filters',
        onSubmit: (e: Event) => {
          e.preventDefault()
          void panel.loadAudit(0)
        },
      },
      field(t('admin.actor'), h('input', { type: 'number', id: 'audit-actor', min: 1, step: 1, inputMode: 'numeric', value: f.actor, onInput: (e: Event) => panel.filter({ actor: (e.target as HTMLInputElement).value }) })),
      field(
        t('admin.action'),
        h(
          'select',
          { id: 'audit-action', value: f.action, onChange: (e: Event) => panel.filter({ action: (e.target as HTMLSelectElement).value }) },
          h('option', { value: '' }, t('admin.anyAction')),
          AUDIT_ACTIONS.map((a) => h('option', { key: a, value: a }, actionLabel(t, a))),
        ),
      ),
      field(t('admin.from'), h('input', { type: 'date', id: 'audit-since', value: f.since, onInput: (e: Event) => panel.filter({ since: (e.target as HTMLInputElement).value }) })),
      field(t('admin.to'), h('input', { type: 'date', id: 'audit-until', value: f.until, onInput: (e: Event) => panel.filter({ until: (e.target as HTMLInputElement).value }) })),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', id: 'audit-show' }, t('admin.filter')),
        h(
          'button',
          {
            type: 'button',
            id: 'audit-clear',
            onClick: () => {
              panel.filters.value = { actor: '', action: '', since: '', until: '' }
              void panel.loadAudit(0)
            },
          },
          t('admin.clear'),
        ),
      ),
    ),
    panel.auditError.value ? h('p', { class: 'error', role: 'alert' }, panel.auditError.value) : null,
    h('p', { class: 'muted', role: 'status' }, entries.length ? plural('admin.entries', panel.entriesTotal.value) : t('admin.noEntries')),
    entries.length
      ? h(
          'ul',
          { class: 'cards audit-entries', 'aria-labelledby': 'audit-h' },
          entries.map((e) =>
            h(
              'li',
              { key: e.id, class: 'card audit-entry' },
              h(
                'dl',
                { class: 'props' },
                h('dt', {}, t('admin.when')),
                h('dd', {}, formatDateTime(e.at, tag)),
                h('dt', {}, t('admin.who')),
                h('dd', {}, e.actor ? `${e.actor.display_name} (#${e.actor.id})` : t('admin.system')),
                h('dt', {}, t('admin.what')),
                h('dd', { class: 'audit-action' }, actionLabel(t, e.action)),
                h('dt', {}, t('admin.on')),
                h('dd', {}, entity(e)),
                e.reason || Object.keys(e.details).length ? h('dt', {}, t('admin.why')) : null,
                e.reason || Object.keys(e.details).length ? h('dd', { class: 'wrap' }, [e.reason, detailsText(e, t)].filter(Boolean).join(' · ')) : null,
              ),
            ),
          ),
        )
      : null,
    h(PageNav, { panel, id: 'audit-pages', total: panel.entriesTotal.value, offset: panel.entriesOffset.value, size: AUDIT_PAGE, onPage: (o: number) => void panel.loadAudit(o) }),
  )
}

/** A role change reads "citizen → citizen, moderator"; other details as key: value. */
function detailsText(e: AuditEntry, t: (k: MessageKey) => string): string {
  const d = e.details as Record<string, unknown>
  const roles = (v: unknown) => (Array.isArray(v) ? v.map((r) => t(`role.${r}` as MessageKey)).join(', ') : String(v))
  if (Array.isArray(d.before) && Array.isArray(d.after)) return `${roles(d.before)} → ${roles(d.after)}`
  return Object.entries(d)
    .map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join('; ')
}
