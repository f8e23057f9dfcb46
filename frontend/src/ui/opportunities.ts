/**
 * SME opportunities: filters, results (list + map), detail, interest, saved searches, matches.
 *
 * A Preact panel (README.md): the filters' typed text lives in signals bound to the fields (a
 * keystroke renders no component), the results, matches, saved searches and interests in the
 * panel's signals, each read by the small view that shows it. Registering interest renders the
 * detail's actions; a saved search run renders the results, not the form. Opening a work package
 * focuses its title; going back focuses the card it was opened from.
 */
import { signal, useComputed, type Signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import type { Id, Match, Opportunity, OpportunityQuery, Organisation, SavedSearch } from '../api'
import { AlertSchedule, changeAlerts, type AlertChange } from './alertschedule'
import type { LonLat } from '../core/geo'
import { matchReasonText } from '../core/match'
import { emptySearch, opportunityPoint, toFilters, toQuery, valueRange, type DistanceFrom, type OpportunitySearch } from '../core/opportunities'
import type { I18n } from '../i18n'
import { formatCurrency, formatDate, formatDistance } from '../i18n/format'
import { bound } from './account'
import { field, Notice } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { CpvPicker } from './cpv'
import { SchemesBeside } from './funding'
import { SubPackages } from './awards'
import { SignInPrompt } from './signin'
import { store, useI18n } from './store'

type View = 'search' | 'matches'

const text = () => signal('')

/** A number typed in a field, or undefined when empty or not a number. */
function num(v: string): number | undefined {
  return v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v)
}

export class OpportunitiesPanel {
  /** the filters as typed (bound to the form's fields) */
  readonly filters = {
    q: text(),
    from: signal<DistanceFrom>('anywhere'),
    radius: text(),
    minValue: text(),
    maxValue: text(),
    closingBefore: text(),
    smeOnly: signal(false),
  }
  readonly cpv: CpvPicker
  readonly results = signal<Opportunity[]>([])
  readonly total = signal(0)
  readonly searched = signal(false)
  readonly error = signal<string | undefined>(undefined)
  readonly selected = signal<Opportunity | undefined>(undefined)
  readonly view = signal<View>('search')
  readonly matches = signal<Match[] | undefined>(undefined)
  readonly interests = signal<ReadonlySet<Id>>(new Set())
  readonly saved = signal<SavedSearch[]>([])
  readonly org = signal<Organisation | undefined>(undefined)
  readonly saveName = text()
  readonly savedOpen = signal(false)
  private loadedFor?: Id

  constructor(readonly ctx: AppContext) {
    this.cpv = new CpvPicker(ctx, 'opps')
  }

  /** Sign-in state changed: reload what depends on the organisation. */
  userChanged() {
    this.interests.value = new Set()
    this.saved.value = []
    this.org.value = undefined
    this.matches.value = undefined
    if (this.view.value === 'matches') this.view.value = 'search'
    this.loadedFor = this.ctx.user?.id
    void this.loadMine()
  }

  isSme(): boolean {
    const u = store.user.value
    return hasRole(u, 'sme') && u?.organisation_id != null
  }

  async loadMine() {
    if (!this.ctx.user) return
    const sme = this.isSme()
    const [saved, interests, org] = await Promise.all([
      this.ctx.api.savedSearches().catch(() => []),
      sme ? this.ctx.api.myInterests().catch(() => []) : Promise.resolve([]),
      sme ? this.ctx.api.myOrganisation().catch(() => undefined) : Promise.resolve(undefined),
    ])
    this.saved.value = saved
    this.interests.value = new Set(interests.filter((i) => !i.withdrawn).map((i) => i.opportunity_id))
    this.org.value = org
  }

  /** The filters as a search (core/opportunities.ts turns it into the query). */
  search(): OpportunitySearch {
    const f = this.filters
    return {
      ...emptySearch(),
      q: f.q.value || undefined,
      cpv: this.cpv.codes,
      from: f.from.value,
      radiusKm: num(f.radius.value),
      minValue: num(f.minValue.value),
      maxValue: num(f.maxValue.value),
      closingBefore: f.closingBefore.value || undefined,
      smeOnly: f.smeOnly.value,
    }
  }

  private centre(): LonLat | undefined {
    const from = this.filters.from.value
    if (from === 'view') {
      const p = this.ctx.map?.centrePoint()?.point ?? this.ctx.map?.getCamera().position
      return p ? { lon: p.lon, lat: p.lat } : undefined
    }
    if (from === 'org') {
      const g = this.org.value?.location as { type?: string; coordinates?: number[] } | null | undefined
      if (g?.type === 'Point' && g.coordinates) return { lon: g.coordinates[0], lat: g.coordinates[1] }
    }
    return undefined
  }

  /** Search with the filters as they are. */
  async run() {
    await this.show(toQuery(this.search(), this.centre()))
  }

  /** Run a saved search again with the filters it stored. */
  async runSaved(x: SavedSearch) {
    await this.show({ ...(x.query as OpportunityQuery), limit: 50 })
  }

  private async show(query: OpportunityQuery) {
    const { t, plural } = this.ctx.i18n
    let error: string | undefined
    try {
      const page = await this.ctx.api.opportunities(query)
      this.results.value = page.items
      this.total.value = page.total
    } catch (err) {
      this.results.value = []
      error = errorText(err)
    }
    this.error.value = error
    this.searched.value = true
    this.view.value = 'search'
    this.selected.value = undefined
    this.showOnMap(this.results.value)
    this.ctx.announce(error ? t('app.loadFailed', { detail: error }) : plural('opps.count', this.total.value))
  }

  showOnMap(list: Opportunity[]) {
    this.ctx.map?.setOpportunities(list, (o) => this.open(o))
  }

  async loadMatches() {
    this.view.value = 'matches'
    this.matches.value = undefined
    try {
      const items = (await this.ctx.api.matches(30)).items
      this.error.value = undefined
      this.matches.value = items
      this.showOnMap(items.map((m) => m.opportunity))
    } catch (err) {
      this.error.value = errorText(err)
      this.matches.value = []
    }
  }

  showSearch() {
    this.view.value = 'search'
    this.showOnMap(this.results.value)
  }

  /** Open a work package's detail, its title focused. */
  open(o: Opportunity) {
    this.selected.value = o
    afterRender(() => document.getElementById('opp-h')?.focus())
  }

  /** Back to the results: the focus goes to the card the detail was opened from. */
  back() {
    const o = this.selected.value
    this.selected.value = undefined
    afterRender(() => (document.getElementById(`opp-card-${o?.id}`) ?? document.getElementById('opps-h'))?.focus())
  }

  async saveSearch() {
    const { t } = this.ctx.i18n
    const name = this.saveName.value.trim()
    if (!name) return
    try {
      await this.ctx.api.saveSearch(name, toFilters(this.search(), this.centre()))
      this.saveName.value = ''
      this.saved.value = await this.ctx.api.savedSearches()
      this.ctx.announce(t('opps.saved'))
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  /** Change a saved search's alerts (immediately, daily, weekly or paused). */
  scheduleSaved(x: SavedSearch, change: AlertChange) {
    return changeAlerts(this.ctx, this.saved, x, () => this.ctx.api.updateSavedSearch(x.id, change))
  }

  async deleteSaved(x: SavedSearch) {
    try {
      await this.ctx.api.deleteSavedSearch(x.id)
      this.saved.value = this.saved.value.filter((y) => y.id !== x.id)
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  async toggleInterest(o: Opportunity) {
    const { t } = this.ctx.i18n
    const next = new Set(this.interests.value)
    try {
      if (next.has(o.id)) {
        await this.ctx.api.withdrawInterest(o.id)
        next.delete(o.id)
        this.ctx.announce(t('opps.withdrawn'))
      } else {
        await this.ctx.api.registerInterest(o.id)
        next.add(o.id)
        this.ctx.announce(t('opps.registered'))
      }
      this.interests.value = next
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  /** What the app puts in the tab. */
  render(): JSX.Element {
    // the saved searches, interests and organisation of whoever is signed in, once per user
    const u = this.ctx.user
    if (u && this.loadedFor !== u.id) {
      this.loadedFor = u.id
      void this.loadMine()
    }
    return h(OpportunitiesView, { panel: this })
  }
}

/** Run after Preact's next render (it renders on a microtask) and before the next paint. */
function afterRender(fn: () => void) {
  requestAnimationFrame(fn)
}

function OpportunitiesView({ panel }: { panel: OpportunitiesPanel }) {
  const { t } = useI18n(panel.ctx)
  const selected = panel.selected.value
  return h(
    'section',
    { 'aria-labelledby': 'opps-h' },
    h('h2', { id: 'opps-h', tabindex: -1 }, t('opps.heading')),
    selected ? h(Detail, { panel, o: selected }) : h(Browse, { panel }),
  )
}

function Browse({ panel }: { panel: OpportunitiesPanel }) {
  const { t } = useI18n(panel.ctx)
  const view = panel.view.value
  return h(
    'div',
    {},
    panel.isSme()
      ? h(
          'div',
          { class: 'segmented-buttons', role: 'group', 'aria-label': t('opps.view') },
          h('button', { type: 'button', 'aria-pressed': view === 'search' ? 'true' : 'false', onClick: () => panel.showSearch() }, t('opps.searchAll')),
          h('button', { type: 'button', id: 'opps-matches', 'aria-pressed': view === 'matches' ? 'true' : 'false', onClick: () => void panel.loadMatches() }, t('opps.matches')),
        )
      : null,
    view === 'search' ? [h(Filters, { key: 'filters', panel }), h(Results, { key: 'results', panel })] : h(Matches, { panel }),
  )
}

function Filters({ panel }: { panel: OpportunitiesPanel }) {
  const { t } = useI18n(panel.ctx)
  const f = panel.filters
  const org = panel.org.value
  const mapReady = store.mapReady.value
  const input = (name: string, sig: Signal<string>, attrs: Record<string, unknown>) => h('input', { name, id: `opps-${name}`, ...attrs, ...bound(sig) })
  const from = h(
    'select',
    { name: 'from', id: 'opps-from', value: f.from, onChange: (e: Event) => (f.from.value = (e.currentTarget as HTMLSelectElement).value as DistanceFrom) },
    (['anywhere', 'view', 'org'] as const).map((x) =>
      h(
        'option',
        { key: x, value: x, disabled: (x === 'org' && !org?.location) || (x === 'view' && !mapReady) },
        t(x === 'anywhere' ? 'opps.fromAnywhere' : x === 'view' ? 'opps.fromView' : 'opps.fromOrg'),
      ),
    ),
  )
  return h(
    'form',
    {
      class: 'filters',
      role: 'search',
      'aria-label': t('opps.heading'),
      onSubmit: (e: Event) => {
        e.preventDefault()
        void panel.run()
      },
    },
    field(t('opps.search'), input('q', f.q, { type: 'search' })),
    panel.cpv.view(t('opps.cpv')),
    h('div', { class: 'row' }, field(t('opps.from'), from), field(t('opps.distance'), input('radius', f.radius, { type: 'number', min: '0', step: '0.5' }))),
    h(
      'div',
      { class: 'row' },
      field(t('opps.valueMin'), input('min_value', f.minValue, { type: 'number', min: '0', step: '1000' })),
      field(t('opps.valueMax'), input('max_value', f.maxValue, { type: 'number', min: '0', step: '1000' })),
    ),
    field(t('opps.closingBefore'), input('closing_before', f.closingBefore, { type: 'date' })),
    h(
      'div',
      { class: 'check' },
      h('input', { type: 'checkbox', name: 'sme', id: 'opps-sme', checked: f.smeOnly, onChange: (e: Event) => (f.smeOnly.value = (e.currentTarget as HTMLInputElement).checked) }),
      h('label', { for: 'opps-sme' }, t('opps.smeOnly')),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'opps-search' }, t('opps.apply'))),
    store.user.value ? h(SavedSearches, { panel }) : null,
  )
}

function SavedSearches({ panel }: { panel: OpportunitiesPanel }) {
  const { t } = useI18n(panel.ctx)
  const saved = panel.saved.value
  return h(
    'details',
    { class: 'saved-searches', open: panel.savedOpen.value, onToggle: (e: Event) => (panel.savedOpen.value = (e.currentTarget as HTMLDetailsElement).open) },
    h('summary', {}, t('opps.saveSearch')),
    field(t('opps.searchName'), h('input', { type: 'text', name: 'search-name', id: 'opps-search-name', ...bound(panel.saveName) })),
    h('button', { type: 'button', id: 'opps-save-search', onClick: () => void panel.saveSearch() }, t('app.save')),
    saved.length
      ? h(
          'ul',
          { 'aria-label': t('opps.savedList') },
          saved.map((x) =>
            h(
              'li',
              { key: x.id },
              x.name,
              ' ',
              h('button', { type: 'button', class: 'link', 'aria-label': t('opps.runSaved', { name: x.name }), onClick: () => void panel.runSaved(x) }, t('opps.run')),
              ' ',
              h(AlertSchedule, { ctx: panel.ctx, search: x, idPrefix: 'opps', onChange: (c: AlertChange) => void panel.scheduleSaved(x, c) }),
              ' ',
              h('button', { type: 'button', class: 'link', 'aria-label': t('opps.deleteSaved', { name: x.name }), onClick: () => void panel.deleteSaved(x) }, t('app.delete')),
            ),
          ),
        )
      : null,
  )
}

function Results({ panel }: { panel: OpportunitiesPanel }) {
  const { t, plural } = useI18n(panel.ctx)
  if (!panel.searched.value) return null
  const error = panel.error.value
  if (error) return h(Notice, { kind: 'error' }, t('app.loadFailed', { detail: error }))
  const results = panel.results.value
  if (!results.length) return h('p', {}, t('opps.empty'))
  return h(
    'div',
    {},
    h('p', { class: 'count' }, plural('opps.count', panel.total.value)),
    h(
      'ul',
      { class: 'cards', 'aria-label': t('opps.results') },
      results.map((o) => h(Card, { key: o.id, panel, o })),
    ),
  )
}

function Matches({ panel }: { panel: OpportunitiesPanel }) {
  const i18n = useI18n(panel.ctx)
  const { t } = i18n
  const matches = panel.matches.value
  if (!matches) return h('p', { role: 'status' }, t('app.loading'))
  const error = panel.error.value
  if (error) return h(Notice, { kind: 'error' }, t('app.loadFailed', { detail: error }))
  if (!matches.length) return h('p', {}, t('opps.noMatches'))
  return h(
    'ul',
    { class: 'cards', 'aria-label': t('opps.matches') },
    matches.map((m) =>
      h(Card, { key: m.opportunity.id, panel, o: m.opportunity, extra: m.reasons.map((r) => matchReasonText(r, m.opportunity, t, i18n.locale, i18n.tag)).join('; ') }),
    ),
  )
}

/** The value of a work package, or its range, in the reader's currency format. */
function valueText(i18n: I18n, o: Opportunity): string | undefined {
  const r = valueRange(o)
  if (!r) return undefined
  const cur = o.value.currency
  return r[0] === r[1]
    ? formatCurrency(r[0], cur, i18n.tag)
    : i18n.t('opps.valueRange', { min: formatCurrency(r[0], cur, i18n.tag), max: formatCurrency(r[1], cur, i18n.tag) })
}

function Card({ panel, o, extra }: { panel: OpportunitiesPanel; o: Opportunity; extra?: string }) {
  const i18n = useI18n(panel.ctx)
  const { t, tag } = i18n
  // an interest registered or withdrawn renders the card it concerns, not the list
  const interested = useComputed(() => panel.interests.value.has(o.id)).value
  const facts = [
    valueText(i18n, o),
    o.tender_period.end ? t('opps.closes', { date: formatDate(String(o.tender_period.end), tag) }) : undefined,
    o.distance_km != null ? t('opps.distanceAway', { distance: formatDistance(o.distance_km * 1000, tag) }) : undefined,
  ].filter(Boolean)
  return h(
    'li',
    {},
    h(
      'button',
      { type: 'button', class: 'card', id: `opp-card-${o.id}`, onClick: () => panel.open(o) },
      h('span', { class: 'card-title' }, o.title),
      h('span', { class: 'muted' }, facts.join(' · ')),
      h('span', { class: 'muted' }, o.cpv.map((c) => c.code).join(', ')),
      o.sme_suitable ? h('span', { class: 'badge' }, t('opps.sme')) : null,
      interested ? h('span', { class: 'badge interest' }, t('opps.interested')) : null,
      extra ? h('span', { class: 'muted' }, extra) : null,
    ),
  )
}

function period(p: { start: unknown; end: unknown }, tag: string): string | undefined {
  if (!p.start && !p.end) return undefined
  return `${p.start ? formatDate(String(p.start), tag) : '…'} – ${p.end ? formatDate(String(p.end), tag) : '…'}`
}

function Detail({ panel, o }: { panel: OpportunitiesPanel; o: Opportunity }) {
  const i18n = useI18n(panel.ctx)
  const { t, tag } = i18n
  const locale = i18n.locale
  const where = opportunityPoint(o)
  const contact = [o.contact.name, o.contact.email, o.contact.phone].filter(Boolean).join(', ')
  const dev = h(
    'button',
    { type: 'button', class: 'link', id: 'opp-development', onClick: () => void panel.ctx.openProposal(o.proposal_id) },
    `${o.proposal_title} (${o.proposal_reference})`,
  )
  const rows: [string, string | JSX.Element | undefined][] = [
    [t('opps.cpv'), o.cpv.map((c) => `${c.code} ${c.labels[locale] ?? c.labels.en ?? ''}`.trim()).join('; ')],
    [t('opps.value'), valueText(i18n, o)],
    [t('opps.tenderPeriod'), period(o.tender_period, tag)],
    [t('opps.contractPeriod'), period(o.contract_period, tag)],
    [t('opps.status'), t(`oppStatus.${o.status}`)],
    [t('opps.sme'), o.sme_suitable ? t('app.yes') : t('app.no')],
    [t('opps.socialValue'), o.social_value.length ? o.social_value.map((v) => (v in SOCIAL ? t(`social.${v as keyof typeof SOCIAL}`) : v)).join(', ') : undefined],
    [t('opps.contact'), contact || undefined],
    [t('opps.development'), dev],
    [t('opps.parentPackage'), o.parent_id != null ? h(ParentLink, { panel, parentId: o.parent_id }) : undefined],
  ]
  return h(
    'article',
    { class: 'detail', 'aria-labelledby': 'opp-h' },
    h('button', { type: 'button', class: 'link', id: 'opp-back', onClick: () => panel.back() }, `← ${t('opps.back')}`),
    h('h3', { id: 'opp-h', tabindex: -1 }, o.title),
    h('p', {}, o.description),
    h(
      'dl',
      { class: 'props' },
      rows.filter(([, v]) => v !== undefined).map(([k, v]) => [h('dt', { key: `t-${k}` }, k), h('dd', { key: `d-${k}` }, v)]),
    ),
    h(SchemesBeside, { ctx: panel.ctx, opportunityId: o.id }),
    h(SubPackages, { ctx: panel.ctx, o, onOpen: (s: Opportunity) => panel.open(s) }),
    where && store.mapReady.value
      ? h(
          'button',
          { type: 'button', onClick: () => panel.ctx.map?.flyToBounds([where.lon - 0.001, where.lat - 0.001, where.lon + 0.001, where.lat + 0.001]) },
          t('proposals.flyTo'),
        )
      : null,
    h(InterestActions, { panel, o }),
  )
}

/** A sub-package's way up to the work package it is part of (the contractor's main contract). */
function ParentLink({ panel, parentId }: { panel: OpportunitiesPanel; parentId: number }) {
  const { t } = useI18n(panel.ctx)
  const [parent, setParent] = useState<Opportunity | null | undefined>(undefined)
  useEffect(() => {
    let current = true
    setParent(undefined)
    panel.ctx.api
      .opportunity(parentId)
      .then((o) => current && setParent(o))
      .catch(() => current && setParent(null))
    return () => {
      current = false
    }
  }, [parentId])
  if (parent === undefined) return h('span', { class: 'muted' }, t('app.loading'))
  if (parent === null) return h('span', {}, `#${parentId}`)
  return h('button', { type: 'button', class: 'link', id: 'opp-parent', onClick: () => panel.open(parent) }, parent.title)
}

/** Register or withdraw interest (an SME organisation's account), or what it takes to. */
function InterestActions({ panel, o }: { panel: OpportunitiesPanel; o: Opportunity }) {
  const { t } = useI18n(panel.ctx)
  const registered = panel.interests.value.has(o.id)
  if (panel.isSme())
    return h(
      'div',
      { class: 'actions' },
      h('p', { role: 'status', class: 'interest-status' }, registered ? t('opps.registered') : ''),
      h('button', { type: 'button', class: 'primary', id: 'opp-interest', onClick: () => void panel.toggleInterest(o) }, registered ? t('opps.withdraw') : t('opps.register')),
    )
  if (store.user.value) return h('p', { class: 'muted' }, t('opps.smeAccountNeeded'))
  return h(SignInPrompt, { ctx: panel.ctx })
}

export const SOCIAL = {
  local_employment: 1,
  buy_local: 1,
  green: 1,
  apprenticeships: 1,
  community: 1,
  fair_work: 1,
} as const
