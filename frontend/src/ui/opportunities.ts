/** SME opportunities: filters, results (list + map), detail, interest, saved searches, matches. */
import type { Id, Match, Opportunity, OpportunityQuery, Organisation, SavedSearch } from '../api'
import type { LonLat } from '../core/geo'
import { emptySearch, opportunityPoint, toFilters, toQuery, valueRange, type DistanceFrom, type OpportunitySearch } from '../core/opportunities'
import { formatCurrency, formatDate, formatDistance } from '../i18n/format'
import { errorText, hasRole, type AppContext } from './context'
import { CpvPicker } from './cpv'
import { field, h } from './dom'
import { signInPrompt } from './signin'
import { matchReasonText } from '../core/match'
import { schemesBeside } from './funding'

type View = 'search' | 'matches'

export class OpportunitiesPanel {
  private results: Opportunity[] = []
  private total = 0
  private searched = false
  private error?: string
  private selected?: Opportunity
  private search: OpportunitySearch = emptySearch()
  private readonly cpv: CpvPicker
  private view: View = 'search'
  private matches?: Match[]
  private interests = new Set<Id>()
  private saved: SavedSearch[] = []
  private org?: Organisation
  private saveName = ''

  constructor(private readonly ctx: AppContext) {
    this.cpv = new CpvPicker(ctx, 'opps')
  }

  /** Sign-in state changed: reload what depends on the organisation. */
  userChanged() {
    this.interests.clear()
    this.saved = []
    this.org = undefined
    this.matches = undefined
    if (this.view === 'matches') this.view = 'search'
    void this.loadMine()
  }

  private isSme() {
    return hasRole(this.ctx.user, 'sme') && this.ctx.user?.organisation_id != null
  }

  private async loadMine() {
    if (!this.ctx.user) return
    const [saved, interests, org] = await Promise.all([
      this.ctx.api.savedSearches().catch(() => []),
      this.isSme() ? this.ctx.api.myInterests().catch(() => []) : Promise.resolve([]),
      this.isSme() ? this.ctx.api.myOrganisation().catch(() => undefined) : Promise.resolve(undefined),
    ])
    this.saved = saved
    this.interests = new Set(interests.filter((i) => !i.withdrawn).map((i) => i.opportunity_id))
    this.org = org
    this.ctx.refresh()
  }

  private centre(): LonLat | undefined {
    if (this.search.from === 'view') {
      const p = this.ctx.map?.centrePoint()?.point ?? this.ctx.map?.getCamera().position
      return p ? { lon: p.lon, lat: p.lat } : undefined
    }
    if (this.search.from === 'org') {
      const g = this.org?.location as { type?: string; coordinates?: number[] } | null | undefined
      if (g?.type === 'Point' && g.coordinates) return { lon: g.coordinates[0], lat: g.coordinates[1] }
    }
    return undefined
  }

  async run() {
    this.search.cpv = this.cpv.codes
    try {
      const page = await this.ctx.api.opportunities(toQuery(this.search, this.centre()))
      this.results = page.items
      this.total = page.total
      this.error = undefined
    } catch (err) {
      this.results = []
      this.error = errorText(err)
    }
    this.searched = true
    this.view = 'search'
    this.showOnMap(this.results)
    this.ctx.refresh()
    this.ctx.announce(this.error ? this.ctx.i18n.t('app.loadFailed', { detail: this.error }) : this.ctx.i18n.plural('opps.count', this.total))
  }

  /** Run a saved search again with the filters it stored. */
  async runSaved(x: SavedSearch) {
    try {
      const page = await this.ctx.api.opportunities({ ...(x.query as OpportunityQuery), limit: 50 })
      this.results = page.items
      this.total = page.total
      this.error = undefined
    } catch (err) {
      this.results = []
      this.error = errorText(err)
    }
    this.searched = true
    this.view = 'search'
    this.selected = undefined
    this.showOnMap(this.results)
    this.ctx.refresh()
    this.ctx.announce(this.error ? this.ctx.i18n.t('app.loadFailed', { detail: this.error }) : this.ctx.i18n.plural('opps.count', this.total))
  }

  private showOnMap(list: Opportunity[]) {
    this.ctx.map?.setOpportunities(list, (o) => this.open(o))
  }

  private async loadMatches() {
    this.view = 'matches'
    this.matches = undefined
    this.ctx.refresh()
    try {
      this.matches = (await this.ctx.api.matches(30)).items
      this.error = undefined
      this.showOnMap(this.matches.map((m) => m.opportunity))
    } catch (err) {
      this.matches = []
      this.error = errorText(err)
    }
    this.ctx.refresh()
  }

  private open(o: Opportunity) {
    this.selected = o
    this.ctx.refresh()
    requestAnimationFrame(() => document.getElementById('opp-h')?.focus())
  }

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    if (this.ctx.user && !this.saved.length && !this.org && !this.loadedOnce) {
      this.loadedOnce = true
      void this.loadMine()
    }
    return h(
      'section',
      { 'aria-labelledby': 'opps-h' },
      h('h2', { id: 'opps-h' }, t('opps.heading')),
      this.selected
        ? this.renderDetail(this.selected)
        : [
            this.isSme()
              ? h(
                  'div',
                  { class: 'segmented-buttons', role: 'group', 'aria-label': t('opps.view') },
                  h('button', { type: 'button', 'aria-pressed': this.view === 'search' ? 'true' : 'false', onclick: () => { this.view = 'search'; this.showOnMap(this.results); this.ctx.refresh() } }, t('opps.searchAll')),
                  h('button', { type: 'button', id: 'opps-matches', 'aria-pressed': this.view === 'matches' ? 'true' : 'false', onclick: () => void this.loadMatches() }, t('opps.matches')),
                )
              : null,
            this.view === 'search' ? [this.renderFilters(), this.renderResults()] : this.renderMatches(),
          ],
    )
  }
  private loadedOnce = false

  private renderFilters(): HTMLElement {
    const { t } = this.ctx.i18n
    const s = this.search
    const num = (v: string) => (v.trim() === '' || !Number.isFinite(Number(v)) ? undefined : Number(v))
    const input = (name: string, attrs: Record<string, unknown>, on: (v: string) => void) =>
      h('input', { name, id: `opps-${name}`, ...attrs, oninput: (e: Event) => on((e.target as HTMLInputElement).value) })
    const from = h(
      'select',
      { name: 'from', id: 'opps-from', onchange: (e: Event) => (s.from = (e.target as HTMLSelectElement).value as DistanceFrom) },
      (['anywhere', 'view', 'org'] as const).map((f) =>
        h(
          'option',
          { value: f, selected: s.from === f, disabled: (f === 'org' && !this.org?.location) || (f === 'view' && !this.ctx.map) },
          t(f === 'anywhere' ? 'opps.fromAnywhere' : f === 'view' ? 'opps.fromView' : 'opps.fromOrg'),
        ),
      ),
    )
    const sme = h('input', { type: 'checkbox', name: 'sme', id: 'opps-sme', checked: s.smeOnly, onchange: (e: Event) => (s.smeOnly = (e.target as HTMLInputElement).checked) })
    return h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': t('opps.heading'),
        onsubmit: (e: Event) => {
          e.preventDefault()
          void this.run()
        },
      },
      field(t('opps.search'), input('q', { type: 'search', value: s.q ?? '' }, (v) => (s.q = v))),
      this.cpv.render(t('opps.cpv')),
      h(
        'div',
        { class: 'row' },
        field(t('opps.from'), from),
        field(t('opps.distance'), input('radius', { type: 'number', min: '0', step: '0.5', value: s.radiusKm ?? '' }, (v) => (s.radiusKm = num(v)))),
      ),
      h(
        'div',
        { class: 'row' },
        field(t('opps.valueMin'), input('min_value', { type: 'number', min: '0', step: '1000', value: s.minValue ?? '' }, (v) => (s.minValue = num(v)))),
        field(t('opps.valueMax'), input('max_value', { type: 'number', min: '0', step: '1000', value: s.maxValue ?? '' }, (v) => (s.maxValue = num(v)))),
      ),
      field(t('opps.closingBefore'), input('closing_before', { type: 'date', value: s.closingBefore ?? '' }, (v) => (s.closingBefore = v || undefined))),
      h('div', { class: 'check' }, sme, h('label', { for: 'opps-sme' }, t('opps.smeOnly'))),
      h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary', id: 'opps-search' }, t('opps.apply'))),
      this.ctx.user ? this.renderSaved() : null,
    )
  }

  private renderSaved(): HTMLElement {
    const { t } = this.ctx.i18n
    const name = h('input', { type: 'text', name: 'search-name', id: 'opps-search-name', value: this.saveName, oninput: (e: Event) => (this.saveName = (e.target as HTMLInputElement).value) })
    const save = async () => {
      if (!this.saveName.trim()) return
      this.search.cpv = this.cpv.codes
      try {
        await this.ctx.api.saveSearch(this.saveName.trim(), toFilters(this.search, this.centre()))
        this.saveName = ''
        this.saved = await this.ctx.api.savedSearches()
        this.ctx.announce(t('opps.saved'))
        this.ctx.refresh()
      } catch (err) {
        this.ctx.announce(t('account.failed', { detail: errorText(err) }))
      }
    }
    const details = h(
      'details',
      { class: 'saved-searches', open: this.savedOpen, ontoggle: (e: Event) => (this.savedOpen = (e.target as HTMLDetailsElement).open) },
      h('summary', {}, t('opps.saveSearch')),
      field(t('opps.searchName'), name),
      h('button', { type: 'button', onclick: () => void save() }, t('app.save')),
      this.saved.length
        ? h(
            'ul',
            { 'aria-label': t('opps.savedList') },
            this.saved.map((x) =>
              h(
                'li',
                {},
                x.name,
                ' ',
                h('button', { type: 'button', class: 'link', 'aria-label': t('opps.runSaved', { name: x.name }), onclick: () => void this.runSaved(x) }, t('opps.run')),
                ' ',
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'link',
                    'aria-label': t('opps.deleteSaved', { name: x.name }),
                    onclick: async () => {
                      await this.ctx.api.deleteSavedSearch(x.id).catch(() => undefined)
                      this.saved = this.saved.filter((y) => y.id !== x.id)
                      this.ctx.refresh()
                    },
                  },
                  t('app.delete'),
                ),
              ),
            ),
          )
        : null,
    )
    return details
  }
  private savedOpen = false

  private value(o: Opportunity): string | undefined {
    const { t, tag } = this.ctx.i18n
    const r = valueRange(o)
    if (!r) return undefined
    const cur = o.value.currency
    return r[0] === r[1] ? formatCurrency(r[0], cur, tag) : t('opps.valueRange', { min: formatCurrency(r[0], cur, tag), max: formatCurrency(r[1], cur, tag) })
  }

  private card(o: Opportunity, extra?: string): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const facts = [
      this.value(o),
      o.tender_period.end ? t('opps.closes', { date: formatDate(String(o.tender_period.end), tag) }) : undefined,
      o.distance_km != null ? t('opps.distanceAway', { distance: formatDistance(o.distance_km * 1000, tag) }) : undefined,
    ].filter(Boolean)
    return h(
      'li',
      {},
      h(
        'button',
        { type: 'button', class: 'card', onclick: () => this.open(o) },
        h('span', { class: 'card-title' }, o.title),
        h('span', { class: 'muted' }, facts.join(' · ')),
        h('span', { class: 'muted' }, o.cpv.map((c) => c.code).join(', ')),
        o.sme_suitable ? h('span', { class: 'badge' }, t('opps.sme')) : null,
        this.interests.has(o.id) ? h('span', { class: 'badge interest' }, t('opps.interested')) : null,
        extra ? h('span', { class: 'muted' }, extra) : null,
      ),
    )
  }

  private renderResults(): HTMLElement | null {
    const { t, plural } = this.ctx.i18n
    if (!this.searched) return null
    if (this.error) return h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error }))
    if (!this.results.length) return h('p', {}, t('opps.empty'))
    return h(
      'div',
      {},
      h('p', { class: 'count' }, plural('opps.count', this.total)),
      h('ul', { class: 'cards', 'aria-label': t('opps.results') }, this.results.map((o) => this.card(o))),
    )
  }

  private renderMatches(): HTMLElement {
    const { t } = this.ctx.i18n
    if (!this.matches) return h('p', { role: 'status' }, t('app.loading'))
    if (this.error) return h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error }))
    if (!this.matches.length) return h('p', {}, t('opps.noMatches'))
    return h(
      'ul',
      { class: 'cards', 'aria-label': t('opps.matches') },
      this.matches.map((m) => this.card(m.opportunity, m.reasons.map((r) => matchReasonText(r, m.opportunity, t, this.ctx.i18n.locale, this.ctx.i18n.tag)).join('; '))),
    )
  }

  private renderDetail(o: Opportunity): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const dev = h(
      'button',
      { type: 'button', class: 'link', onclick: () => void this.ctx.openProposal(o.proposal_id) },
      `${o.proposal_title} (${o.proposal_reference})`,
    )
    const where = opportunityPoint(o)
    const period = (p: { start: unknown; end: unknown }) =>
      p.start || p.end ? `${p.start ? formatDate(String(p.start), tag) : '…'} – ${p.end ? formatDate(String(p.end), tag) : '…'}` : undefined
    const contact = [o.contact.name, o.contact.email, o.contact.phone].filter(Boolean).join(', ')
    const rows: [string, string | HTMLElement | undefined][] = [
      [t('opps.cpv'), o.cpv.map((c) => `${c.code} ${c.labels[this.ctx.i18n.locale] ?? c.labels.en ?? ''}`.trim()).join('; ')],
      [t('opps.value'), this.value(o)],
      [t('opps.tenderPeriod'), period(o.tender_period)],
      [t('opps.contractPeriod'), period(o.contract_period)],
      [t('opps.status'), t(`oppStatus.${o.status}`)],
      [t('opps.sme'), o.sme_suitable ? t('app.yes') : t('app.no')],
      [t('opps.socialValue'), o.social_value.length ? o.social_value.map((v) => (v in SOCIAL ? t(`social.${v as keyof typeof SOCIAL}`) : v)).join(', ') : undefined],
      [t('opps.contact'), contact || undefined],
      [t('opps.development'), dev],
    ]
    const registered = this.interests.has(o.id)
    return h(
      'article',
      { class: 'detail', 'aria-labelledby': 'opp-h' },
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            this.selected = undefined
            this.ctx.refresh()
          },
        },
        `← ${t('opps.back')}`,
      ),
      h('h3', { id: 'opp-h', tabindex: '-1' }, o.title),
      h('p', {}, o.description),
      h('dl', { class: 'props' }, rows.filter(([, v]) => v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v!)])),
      schemesBeside(this.ctx, o.id),
      where && this.ctx.map
        ? h('button', { type: 'button', onclick: () => this.ctx.map?.flyToBounds([where.lon - 0.001, where.lat - 0.001, where.lon + 0.001, where.lat + 0.001]) }, t('proposals.flyTo'))
        : null,
      this.isSme()
        ? h(
            'div',
            { class: 'actions' },
            h('p', { role: 'status', class: 'interest-status' }, registered ? t('opps.registered') : ''),
            h('button', { type: 'button', class: 'primary', id: 'opp-interest', onclick: () => void this.toggleInterest(o) }, registered ? t('opps.withdraw') : t('opps.register')),
          )
        : this.ctx.user
          ? h('p', { class: 'muted' }, t('opps.smeAccountNeeded'))
          : signInPrompt(this.ctx),
    )
  }

  private async toggleInterest(o: Opportunity) {
    const { t } = this.ctx.i18n
    try {
      if (this.interests.has(o.id)) {
        await this.ctx.api.withdrawInterest(o.id)
        this.interests.delete(o.id)
        this.ctx.announce(t('opps.withdrawn'))
      } else {
        await this.ctx.api.registerInterest(o.id)
        this.interests.add(o.id)
        this.ctx.announce(t('opps.registered'))
      }
      this.ctx.refresh()
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }
}

export const SOCIAL = {
  local_employment: 1,
  buy_local: 1,
  green: 1,
  apprenticeships: 1,
  community: 1,
  fair_work: 1,
} as const
