// @vitest-environment happy-dom
import { render } from 'preact'
import { afterEach, describe, expect, it } from 'vitest'
import type { ModerationItem } from '../api'
import { ModerationPanel } from './moderation'
import { fakeServer, settle, testContext, user } from './testing'

describe('moderation: one report dismissed', () => {
  let host: HTMLElement
  afterEach(() => render(null, host))

  it('shows each report with its reporter and dismisses only the one asked', async () => {
    host = document.createElement('div')
    document.body.replaceChildren(host)
    const report = (id: number, name: string) => ({ id, comment_id: 11, reason: 'spam' as const, details: '', created_at: '2026-03-01T10:00:00Z', resolved_at: null, resolution: null, reporter: { id: id + 100, display_name: name, counts_toward_hide: true } })
    let reports = [report(1, 'Bea'), report(2, 'Cyd')]
    const item = (): ModerationItem => ({
      comment: { id: 11, proposal_id: 7, parent_id: null, depth: 0, state: 'published', body: 'x', author: { id: 3, display_name: 'Ada' }, sentiment: null, topics: [], anchor: null, agree_count: 0, disagree_count: 0, created_at: '2026-03-01T09:00:00Z', edited_at: null, hidden_reason: null, report_count: 2 },
      reports,
      first_reported_at: '2026-03-01T10:00:00Z',
    }) as unknown as ModerationItem
    const server = fakeServer({
      'GET /api/v1/moderation/queue': () => ({ items: [item()] }),
      'GET /api/v1/moderation/hidden': () => ({ items: [] }),
      'GET /api/v1/proposals/7': () => ({ id: 7, title: 'Canal Wharf' }),
      'POST /api/v1/moderation/reports/1/dismiss': () => {
        reports = reports.filter((r) => r.id !== 1)
        return { ...report(1, 'Bea'), resolution: 'dismissed' }
      },
    })
    const ctx = testContext(server.api, user(['moderator']))
    const panel = new ModerationPanel(ctx)
    render(panel.render(), host)
    await panel.load()
    await settle()
    const rows = [...host.querySelectorAll('#mod-reports-11 li')]
    expect(rows.map((r) => r.textContent)).toEqual([expect.stringContaining('reported by Bea'), expect.stringContaining('reported by Cyd')])
    const dismissBea = host.querySelector<HTMLButtonElement>('button[aria-label="Dismiss this report (Bea)"]')!
    dismissBea.click()
    await settle()
    // a reason first
    expect(ctx.announced).toEqual([ctx.i18n.t('mod.reasonNeeded')])
    const input = host.querySelector<HTMLInputElement>('#mod-reason-11')!
    input.value = 'Not spam'
    input.dispatchEvent(new Event('input', { bubbles: true }))
    dismissBea.click()
    await settle()
    expect(server.requests.filter((r) => r.method === 'POST')).toEqual([expect.objectContaining({ path: '/api/v1/moderation/reports/1/dismiss', body: { reason: 'Not spam' } })])
    expect([...host.querySelectorAll('#mod-reports-11 li')].map((r) => r.textContent)).toEqual([expect.stringContaining('reported by Cyd')])
    expect(ctx.announced.at(-1)).toBe(ctx.i18n.t('mod.reportDismissed'))
  })
})
