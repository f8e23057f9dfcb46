/**
 * Funding and support (issue 15): the directory of schemes with filters, "schemes for my
 * organisation" with the reasons (codes translated here), the one-stop-shop guide's journeys,
 * and, for planners, the supply-chain KPIs city-wide. A signed-in user saves the directory's
 * filters as a search with e-mail alerts of new schemes, runs a saved one again or deletes it
 * (the list sits under the filters, as the saved opportunity searches do). A panel of the component pattern
 * (README.md): state in signals on the class, views as function components.
 */
import { signal } from '@preact/signals'
import { Fragment, h, type JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import {
  deleteFundingSearch,
  fromSavedFilters,
  guide,
  kpis,
  kpisCsvUrl,
  mySchemes,
  runFundingSearch,
  saveFundingSearch,
  savedFundingSearches,
  schemes,
  schemesBeside as schemesBesideApi,
  toSavedFilters,
  updateFundingSearch,
  type Frequency,
  type FundingSavedSearch,
  type Journey,
  type Kpis,
  type Scheme,
  type SchemeKind,
  type SchemeMatch,
  type SchemeMatchReason,
  type SchemeQuery,
} from '../api/funding'
import type { Id } from '../api'
import type { MessageKey } from '../i18n/en'
import { AlertSchedule, changeAlerts, type AlertChange } from './alertschedule'
import { field, Notice } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { GuideEditor } from './funding_guide'
import { MySchemes } from './funding_schemes'
import { store, useI18n } from './store'

const KINDS: SchemeKind[] = ['grant', 'loan', 'guarantee', 'equity', 'advice', 'training']
const SIZES = ['micro', 'small', 'medium'] as const
const FREQUENCIES: Frequency[] = ['immediate', 'daily', 'weekly']
const today = () => new Date().toISOString().slice(0, 10)

/** The scheme's text in the reader's language, else English. */
export function schemeText(s: Scheme, locale: string): { title: string; summary: string } {
  const texts = s.translations as Record<string, { title: string; summary?: string } | undefined>
  const mine = texts[locale]
  const en = texts.en
  return { title: mine?.title || en?.title || s.provider, summary: mine?.summary || en?.summary || '' }
}

export class FundingPanel {
  readonly list = signal<Scheme[]>([])
  readonly total = signal(0)
  readonly matches = signal<SchemeMatch[] | undefined>(undefined)
  readonly journeys = signal<Journey[]>([])
  readonly kpis = signal<Kpis | undefined>(undefined)
  readonly loaded = signal(false)
  readonly error = signal<string | undefined>(undefined)
  readonly query = signal<SchemeQuery>({})
  readonly saved = signal<FundingSavedSearch[]>([])
  readonly saveName = signal('')
  readonly saveFrequency = signal<Frequency>('daily')
  readonly savedOpen = signal(false)
  /** the city's guide editor shown instead of the guide (planners and admins) */
  readonly guideEditing = signal(false)

  constructor(readonly ctx: AppContext) {}

  async load() {
    try {
      const [page, journeys, saved] = await Promise.all([
        schemes(this.ctx.api, this.query.value),
        guide(this.ctx.api),
        store.user.value ? savedFundingSearches(this.ctx.api).catch(() => []) : Promise.resolve([]),
      ])
      this.list.value = page.items
      this.total.value = page.total
      this.journeys.value = journeys
      this.saved.value = saved
      if (hasRole(store.user.value, 'planner')) this.kpis.value = await kpis(this.ctx.api)
      this.error.value = undefined
    } catch (err) {
      this.error.value = errorText(err)
    }
    this.loaded.value = true
  }

  async search(q: SchemeQuery) {
    this.query.value = q
    try {
      const page = await schemes(this.ctx.api, q)
      this.list.value = page.items
      this.total.value = page.total
      this.error.value = undefined
      this.ctx.announce(this.ctx.i18n.t('fund.found', { count: page.total }))
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  /** Save the filters as they are (the last search run) under a name, with an alert frequency. */
  async saveSearch() {
    const { t } = this.ctx.i18n
    const name = this.saveName.value.trim()
    if (!name) return
    try {
      await saveFundingSearch(this.ctx.api, name, toSavedFilters(this.query.value), this.saveFrequency.value)
      this.saveName.value = ''
      this.saved.value = await savedFundingSearches(this.ctx.api)
      this.ctx.announce(t('fund.saved'))
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  /** Run a saved search again: its current matches in the directory, its filters in the form. */
  async runSaved(x: FundingSavedSearch) {
    try {
      const page = await runFundingSearch(this.ctx.api, x.id)
      this.query.value = fromSavedFilters(x.query, today())
      this.list.value = page.items
      this.total.value = page.total
      this.error.value = undefined
      this.ctx.announce(this.ctx.i18n.t('fund.found', { count: page.total }))
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  /** Change a saved search's alerts (immediately, daily, weekly or paused). */
  scheduleSaved(x: FundingSavedSearch, change: AlertChange) {
    return changeAlerts(this.ctx, this.saved, x, () => updateFundingSearch(this.ctx.api, x.id, change))
  }

  async deleteSaved(x: FundingSavedSearch) {
    try {
      await deleteFundingSearch(this.ctx.api, x.id)
      this.saved.value = this.saved.value.filter((y) => y.id !== x.id)
      this.ctx.announce(this.ctx.i18n.t('fund.deletedSaved'))
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  async loadMine() {
    try {
      this.matches.value = (await mySchemes(this.ctx.api)).items
      this.error.value = undefined
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  render(): JSX.Element {
    return h(FundingView, { panel: this })
  }
}

function money(s: Scheme, tag: string): string {
  const f = (v: number) => new Intl.NumberFormat(tag, { style: 'currency', currency: s.currency, maximumFractionDigits: 0 }).format(v)
  if (s.amount_min != null && s.amount_max != null) return `${f(s.amount_min)} – ${f(s.amount_max)}`
  if (s.amount_max != null) return f(s.amount_max)
  if (s.amount_min != null) return f(s.amount_min)
  return ''
}

function SchemeItem({ panel, scheme, reasons }: { panel: FundingPanel; scheme: Scheme; reasons?: SchemeMatchReason[] }) {
  const { t, tag } = useI18n(panel.ctx)
  const locale = store.locale.value
  const text = schemeText(scheme, locale)
  const amount = money(scheme, tag)
  return h(
    'li',
    { class: 'card scheme', id: `scheme-${scheme.id}` },
    h('h4', {}, text.title),
    h('p', { class: 'muted' }, `${t(`fund.kind.${scheme.kind}` as MessageKey)} · ${scheme.provider}${amount ? ` · ${amount}` : ''}`),
    text.summary ? h('p', {}, text.summary) : null,
    h(
      'p',
      {},
      scheme.rolling || !scheme.closes_on ? t('fund.rolling') : t('fund.closes', { date: scheme.closes_on }),
    ),
    reasons && reasons.length
      ? h('ul', { class: 'reasons', 'aria-label': t('fund.why') }, reasons.map((r, i) => h('li', { key: i }, reasonText(t, r))))
      : null,
    scheme.how_to_apply ? h('p', {}, scheme.how_to_apply) : null,
    scheme.apply_url ? h('a', { href: scheme.apply_url, rel: 'noopener', target: '_blank' }, t('fund.apply')) : null,
  )
}

type T = ReturnType<typeof useI18n>['t']

export function reasonText(t: T, r: SchemeMatchReason): string {
  const p = r.params as Record<string, string>
  switch (r.code) {
    case 'size':
      return t('fund.reason.size', { size: t(`fund.size.${p.size}` as MessageKey) })
    case 'sector':
      return t('fund.reason.sector', { code: p.code, yours: p.yours })
    case 'open':
      return t('fund.reason.open', { date: p.closes_on })
    default:
      return t(`fund.reason.${r.code}` as MessageKey)
  }
}

function Filters({ panel }: { panel: FundingPanel }) {
  const { t } = useI18n(panel.ctx)
  const q = panel.query.value
  const submit = (e: Event) => {
    e.preventDefault()
    const form = e.currentTarget as HTMLFormElement
    const v = (id: string) => (form.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)?.value ?? '').trim()
    const open = form.querySelector<HTMLInputElement>('#fund-open')?.checked
    void panel.search({
      kind: (v('fund-kind') || undefined) as SchemeKind | undefined,
      size: (v('fund-size') || undefined) as SchemeQuery['size'],
      sector: v('fund-sector') || undefined,
      q: v('fund-q') || undefined,
      open_on: open ? today() : undefined,
    })
  }
  return h(
    'form',
    { class: 'filters', onSubmit: submit, 'aria-label': t('fund.filters') },
    field(t('fund.q'), h('input', { id: 'fund-q', type: 'search', value: q.q ?? '', maxLength: 200 })),
    field(
      t('fund.kindLabel'),
      h('select', { id: 'fund-kind', value: q.kind ?? '' }, h('option', { value: '' }, t('fund.any')), KINDS.map((k) => h('option', { key: k, value: k }, t(`fund.kind.${k}` as MessageKey)))),
    ),
    field(
      t('fund.sizeLabel'),
      h('select', { id: 'fund-size', value: q.size ?? '' }, h('option', { value: '' }, t('fund.any')), SIZES.map((s) => h('option', { key: s, value: s }, t(`fund.size.${s}` as MessageKey)))),
    ),
    field(t('fund.sector'), h('input', { id: 'fund-sector', value: q.sector ?? '', maxLength: 12, inputMode: 'numeric' }), t('fund.sectorHint')),
    h('div', { class: 'field' }, h('input', { id: 'fund-open', type: 'checkbox', checked: !!q.open_on }), h('label', { for: 'fund-open' }, t('fund.openOnly'))),
    h('button', { type: 'submit' }, t('fund.search')),
  )
}

function SavedSearches({ panel }: { panel: FundingPanel }) {
  const { t } = useI18n(panel.ctx)
  const saved = panel.saved.value
  return h(
    'details',
    { class: 'saved-searches', id: 'fund-saved', open: panel.savedOpen.value, onToggle: (e: Event) => (panel.savedOpen.value = (e.currentTarget as HTMLDetailsElement).open) },
    h('summary', {}, t('fund.saveSearch')),
    field(
      t('fund.searchName'),
      h('input', {
        type: 'text',
        id: 'fund-search-name',
        maxLength: 100,
        value: panel.saveName.value,
        onInput: (e: Event) => (panel.saveName.value = (e.currentTarget as HTMLInputElement).value),
      }),
    ),
    field(
      t('fund.frequency'),
      h(
        'select',
        { id: 'fund-search-frequency', value: panel.saveFrequency.value, onChange: (e: Event) => (panel.saveFrequency.value = (e.currentTarget as HTMLSelectElement).value as Frequency) },
        FREQUENCIES.map((f) => h('option', { key: f, value: f }, t(`fund.freq.${f}` as MessageKey))),
      ),
    ),
    h('button', { type: 'button', id: 'fund-save-search', onClick: () => void panel.saveSearch() }, t('app.save')),
    saved.length
      ? h(
          'ul',
          { 'aria-label': t('fund.savedList'), id: 'fund-saved-list' },
          saved.map((x) =>
            h(
              'li',
              { key: x.id },
              x.name,
              ' ',
              h('button', { type: 'button', class: 'link', 'aria-label': t('fund.runSaved', { name: x.name }), onClick: () => void panel.runSaved(x) }, t('fund.run')),
              ' ',
              h(AlertSchedule, { ctx: panel.ctx, search: x, idPrefix: 'fund', onChange: (c: AlertChange) => void panel.scheduleSaved(x, c) }),
              ' ',
              h('button', { type: 'button', class: 'link', 'aria-label': t('fund.deleteSaved', { name: x.name }), onClick: () => void panel.deleteSaved(x) }, t('app.delete')),
            ),
          ),
        )
      : null,
  )
}

function KpiView({ panel, k }: { panel: FundingPanel; k: Kpis }) {
  const { t } = useI18n(panel.ctx)
  const pct = (v: number | null | undefined) => (v == null ? '–' : `${Math.round(v * 100)} %`)
  const bar = (id: string, label: string, v: number | null | undefined) =>
    h('div', { class: 'field' }, h('label', { for: id }, `${label}: ${pct(v)}`), h('meter', { id, min: 0, max: 1, value: v ?? 0 }))
  return h(
    'section',
    { 'aria-labelledby': 'fund-kpi-h', class: 'kpis' },
    h('h3', { id: 'fund-kpi-h' }, t('fund.kpis')),
    bar('fund-kpi-sme', t('fund.kpi.smeShare'), k.sme_share),
    bar('fund-kpi-local', t('fund.kpi.localShare'), k.local_sme_share),
    h(
      'dl',
      {},
      h('dt', {}, t('fund.kpi.awards')),
      h('dd', {}, String(k.awards)),
      h('dt', {}, t('fund.kpi.engaged')),
      h('dd', {}, String(k.smes_engaged)),
      h('dt', {}, t('fund.kpi.days')),
      h('dd', {}, k.median_days_to_award == null ? '–' : String(k.median_days_to_award)),
    ),
    h('a', { href: kpisCsvUrl(panel.ctx.api), download: 'sme-kpis.csv' }, t('fund.kpi.csv')),
  )
}

function GuideView({ panel }: { panel: FundingPanel }) {
  const { t } = useI18n(panel.ctx)
  const locale = store.locale.value
  return h(
    Fragment,
    {},
    panel.journeys.value.map((j) =>
        j.steps.length
          ? h(
              'details',
              { key: j.journey, id: `guide-${j.journey}`, class: 'guide-public' },
              h('summary', {}, t(`fund.journey.${j.journey}` as MessageKey)),
              h(
                'ol',
                {},
                j.steps.map((s) => {
                  const texts = s.translations as Record<string, { title: string; description?: string } | undefined>
                  const text = texts[locale] ?? texts.en
                  return h(
                    'li',
                    { key: s.id },
                    h('strong', {}, text?.title ?? ''),
                    text?.description ? h('p', {}, text.description) : null,
                    h('p', { class: 'muted' }, [s.provider, s.cost && `${t('fund.cost')}: ${s.cost}`, s.duration && `${t('fund.time')}: ${s.duration}`].filter(Boolean).join(' · ')),
                    s.url ? h('a', { href: s.url, rel: 'noopener', target: '_blank' }, t('fund.more')) : null,
                  )
                }),
              ),
            )
          : null,
    ),
  )
}

function FundingView({ panel }: { panel: FundingPanel }) {
  const { t } = useI18n(panel.ctx)
  const user = store.user.value
  if (!panel.loaded.value) return h(Notice, { kind: 'muted' }, t('app.loading'))
  const matches = panel.matches.value
  return h(
    'section',
    { 'aria-labelledby': 'fund-h', class: 'funding' },
    h('h2', { id: 'fund-h' }, t('fund.heading')),
    panel.error.value ? h(Notice, { kind: 'error' }, panel.error.value) : null,
    hasRole(user, 'funder') ? h(MySchemes, { ctx: panel.ctx, onChanged: () => void panel.search(panel.query.value) }) : null,
    hasRole(user, 'sme')
      ? h(
          'section',
          { 'aria-labelledby': 'fund-mine-h' },
          h('h3', { id: 'fund-mine-h' }, t('fund.mine')),
          h('button', { type: 'button', id: 'fund-mine', onClick: () => void panel.loadMine() }, t('fund.showMine')),
          matches === undefined
            ? null
            : matches.length
              ? h('ul', { class: 'cards', id: 'fund-mine-list' }, matches.map((m) => h(SchemeItem, { key: m.scheme.id, panel, scheme: m.scheme, reasons: m.reasons })))
              : h(Notice, { kind: 'muted' }, t('fund.noneForYou')),
        )
      : null,
    h(
      'section',
      { 'aria-labelledby': 'fund-dir-h' },
      h('h3', { id: 'fund-dir-h' }, t('fund.directory')),
      h(Filters, { panel }),
      user ? h(SavedSearches, { panel }) : null,
      h('p', { role: 'status' }, t('fund.found', { count: panel.total.value })),
      h('ul', { class: 'cards', id: 'fund-list' }, panel.list.value.map((s) => h(SchemeItem, { key: s.id, panel, scheme: s }))),
    ),
    h(
      'section',
      { 'aria-labelledby': 'fund-guide-h' },
      h('h3', { id: 'fund-guide-h' }, t('fund.guide')),
      hasRole(user, 'planner')
        ? h(
            'button',
            { type: 'button', id: 'guide-edit-toggle', 'aria-expanded': panel.guideEditing.value ? 'true' : 'false', 'aria-controls': 'guide-body', onClick: () => (panel.guideEditing.value = !panel.guideEditing.value) },
            panel.guideEditing.value ? t('guideEdit.done') : t('guideEdit.toggle'),
          )
        : null,
      h(
        'div',
        { id: 'guide-body' },
        panel.guideEditing.value && hasRole(user, 'planner')
          ? h(GuideEditor, { ctx: panel.ctx, journeys: panel.journeys.value, onChanged: (j) => (panel.journeys.value = j) })
          : h(GuideView, { panel }),
      ),
    ),
    panel.kpis.value ? h(KpiView, { panel, k: panel.kpis.value }) : null,
  )
}

const besideCache = new Map<Id, Scheme[]>()

function BesideView({ ctx, items }: { ctx: AppContext; items: Scheme[] }) {
  const { t } = useI18n(ctx)
  const locale = store.locale.value
  if (!items.length) return null
  return h(
    'section',
    { 'aria-labelledby': 'opp-schemes-h', class: 'schemes-beside' },
    h('h4', { id: 'opp-schemes-h' }, t('fund.beside')),
    h(
      'ul',
      {},
      items.map((s) => {
        const text = schemeText(s, locale)
        return h(
          'li',
          { key: s.id },
          `${text.title} (${t(`fund.kind.${s.kind}` as MessageKey)}, ${s.provider})`,
          s.apply_url ? [' ', h('a', { href: s.apply_url, rel: 'noopener', target: '_blank' }, t('fund.apply'))] : null,
        )
      }),
    ),
  )
}

/**
 * The schemes linked to a work package, in the opportunity's detail: fetched once per work
 * package (kept, so opening it again does not fetch), shown in `#opp-schemes` once they arrive.
 */
export function SchemesBeside({ ctx, opportunityId }: { ctx: AppContext; opportunityId: Id }) {
  const [items, setItems] = useState<Scheme[] | undefined>(() => besideCache.get(opportunityId))
  useEffect(() => {
    const known = besideCache.get(opportunityId)
    setItems(known)
    if (known) return
    let current = true
    void schemesBesideApi(ctx.api, opportunityId)
      .then((found) => {
        besideCache.set(opportunityId, found)
        if (current) setItems(found)
      })
      .catch(() => undefined)
    return () => {
      current = false
    }
  }, [ctx, opportunityId])
  return h('div', { id: 'opp-schemes' }, items ? h(BesideView, { ctx, items }) : null)
}
