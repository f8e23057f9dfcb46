/** SME opportunities: filters, results (list + map), detail, interest, saved searches. */
import type { CpvCode, Opportunity, OpportunityQuery } from '../api'
import { formatCurrency, formatDate, formatDistance } from '../i18n/format'
import { errorText, hasRole, type AppContext } from './context'
import { field, h } from './dom'

type From = 'anywhere' | 'view' | 'org'

export class OpportunitiesPanel {
  private results: Opportunity[] = []
  private searched = false
  private error?: string
  private selected?: Opportunity
  private query: OpportunityQuery & { from: From; withinKm?: number } = { from: 'anywhere' }
  private cpvSuggestions: CpvCode[] = []

  constructor(private readonly ctx: AppContext) {}

  async search(extra: Partial<OpportunityQuery> = {}) {
    const q: OpportunityQuery = { ...this.query, ...extra }
    if (this.query.from === 'view') {
      const centre = this.ctx.map?.centrePoint()?.point ?? this.ctx.map?.getCamera().position
      if (centre) q.near = { lon: centre.lon, lat: centre.lat }
    }
    if (this.query.from === 'org') q.near_org = true
    if (this.query.withinKm) q.within_m = this.query.withinKm * 1000
    try {
      this.results = (await this.ctx.api.opportunities(q)).items
      this.error = undefined
    } catch (err) {
      this.results = []
      this.error = errorText(err)
    }
    this.searched = true
    this.ctx.map?.setOpportunities(this.results, (o) => {
      this.selected = o
      this.ctx.refresh()
    })
    this.ctx.refresh()
  }

  render(): HTMLElement {
    const { t } = this.ctx.i18n
    return h(
      'section',
      { 'aria-labelledby': 'opps-h' },
      h('h2', { id: 'opps-h' }, t('opps.heading')),
      this.selected ? this.renderDetail(this.selected) : [this.renderFilters(), this.renderResults()],
    )
  }

  private renderFilters(): HTMLElement {
    const { t } = this.ctx.i18n
    const q = this.query
    const num = (v: string) => (v.trim() === '' ? undefined : Number(v))
    const cpvList = h('datalist', { id: 'cpv-options' }, this.cpvSuggestions.map((c) => h('option', { value: c.code }, `${c.code} ${c.label}`)))
    const cpv = h('input', {
      type: 'text',
      name: 'cpv',
      list: 'cpv-options',
      value: (q.cpv ?? []).join(' '),
      autocomplete: 'off',
      oninput: async (e: Event) => {
        const v = (e.target as HTMLInputElement).value.trim().split(/\s+/).pop() ?? ''
        if (v.length >= 2) {
          this.cpvSuggestions = await this.ctx.api.cpv(v).catch(() => [])
          const list = document.getElementById('cpv-options')
          list?.replaceChildren(...this.cpvSuggestions.map((c) => h('option', { value: c.code }, `${c.code} ${c.label}`)))
        }
      },
    })
    const from = h(
      'select',
      { name: 'from' },
      (['anywhere', 'view', 'org'] as const).map((f) =>
        h('option', { value: f, selected: q.from === f, disabled: f === 'org' && !this.ctx.user?.organisation_id }, t(f === 'anywhere' ? 'opps.fromAnywhere' : f === 'view' ? 'opps.fromView' : 'opps.fromOrg')),
      ),
    )
    const within = h('input', { type: 'number', name: 'within', min: '0', step: '0.5', value: q.withinKm ?? '' })
    const vmin = h('input', { type: 'number', name: 'value_min', min: '0', step: '1000', value: q.value_min ?? '' })
    const vmax = h('input', { type: 'number', name: 'value_max', min: '0', step: '1000', value: q.value_max ?? '' })
    const closing = h('input', { type: 'date', name: 'closing_before', value: q.closing_before ?? '' })
    const sme = h('input', { type: 'checkbox', name: 'sme', id: 'opps-sme', checked: !!q.sme_suitable })
    const kw = h('input', { type: 'search', name: 'q', value: q.q ?? '' })
    return h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': t('opps.heading'),
        onsubmit: (e: Event) => {
          e.preventDefault()
          this.query = {
            from: from.value as From,
            withinKm: num(within.value),
            cpv: cpv.value.trim() ? cpv.value.trim().split(/[\s,]+/) : undefined,
            value_min: num(vmin.value),
            value_max: num(vmax.value),
            closing_before: closing.value || undefined,
            sme_suitable: sme.checked || undefined,
            q: kw.value.trim() || undefined,
          }
          void this.search()
        },
      },
      field(t('opps.search'), kw),
      field(t('opps.cpv'), cpv, t('opps.cpvHint')),
      cpvList,
      h('div', { class: 'row' }, field(t('opps.from'), from), field(t('opps.distance'), within)),
      h('div', { class: 'row' }, field(t('opps.valueMin'), vmin), field(t('opps.valueMax'), vmax)),
      field(t('opps.closingBefore'), closing),
      h('div', { class: 'check' }, sme, h('label', { for: 'opps-sme' }, t('opps.smeOnly'))),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'submit', class: 'primary' }, t('opps.apply')),
        hasRole(this.ctx.user, 'sme') ? h('button', { type: 'button', onclick: () => { this.query = { from: 'org' }; void this.search({ near_org: true }) } }, t('opps.matches')) : null,
      ),
      this.ctx.user ? this.renderSaveSearch() : null,
    )
  }

  private renderSaveSearch(): HTMLElement {
    const { t } = this.ctx.i18n
    const name = h('input', { type: 'text', name: 'search-name', required: true })
    return h(
      'details',
      {},
      h('summary', {}, t('opps.saveSearch')),
      h(
        'form',
        {
          onsubmit: async (e: Event) => {
            e.preventDefault()
            try {
              await this.ctx.api.saveSearch(name.value.trim(), this.query)
              this.ctx.announce(t('opps.saved'))
            } catch (err) {
              this.ctx.announce(t('account.failed', { detail: errorText(err) }))
            }
          },
        },
        field(t('opps.searchName'), name),
        h('button', { type: 'submit' }, t('app.save')),
      ),
    )
  }

  private value(o: Opportunity): string | undefined {
    const tag = this.ctx.i18n.tag
    if (o.value_min != null && o.value_max != null && o.value_min !== o.value_max)
      return this.ctx.i18n.t('opps.valueRange', { min: formatCurrency(o.value_min, o.currency, tag), max: formatCurrency(o.value_max, o.currency, tag) })
    const v = o.value_max ?? o.value_min
    return v != null ? formatCurrency(v, o.currency, tag) : undefined
  }

  private renderResults(): HTMLElement | null {
    const { t, plural, tag } = this.ctx.i18n
    if (!this.searched) return null
    if (this.error) return h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error }))
    if (!this.results.length) return h('p', { role: 'status' }, t('opps.empty'))
    return h(
      'div',
      {},
      h('p', { class: 'count', role: 'status' }, plural('opps.count', this.results.length)),
      h(
        'ul',
        { class: 'cards' },
        this.results.map((o) =>
          h(
            'li',
            {},
            h(
              'button',
              { type: 'button', class: 'card', onclick: () => { this.selected = o; this.ctx.refresh() } },
              h('span', { class: 'card-title' }, o.title),
              h('span', { class: 'muted' }, [this.value(o), o.tender_end ? t('opps.closes', { date: formatDate(o.tender_end, tag) }) : undefined, o.distance_m != null ? t('opps.distanceAway', { distance: formatDistance(o.distance_m, tag) }) : undefined].filter(Boolean).join(' · ')),
              o.sme_suitable ? h('span', { class: 'badge' }, t('opps.sme')) : null,
            ),
          ),
        ),
      ),
    )
  }

  private renderDetail(o: Opportunity): HTMLElement {
    const { t, tag } = this.ctx.i18n
    const proposal = this.ctx.selection.proposal
    const dev = h('button', {
      type: 'button',
      class: 'link',
      onclick: async () => {
        try {
          this.ctx.select(await this.ctx.api.proposal(o.proposal_id))
        } catch (err) {
          this.ctx.announce(t('app.loadFailed', { detail: errorText(err) }))
        }
      },
    }, proposal && String(proposal.id) === String(o.proposal_id) ? proposal.title : `#${o.proposal_id}`)
    const rows: [string, string | HTMLElement | undefined][] = [
      [t('opps.cpv'), o.cpv_codes.join(', ')],
      [t('opps.value'), this.value(o)],
      [t('opps.closingBefore'), o.tender_end ? formatDate(o.tender_end, tag) : undefined],
      [t('opps.sme'), o.sme_suitable ? '✓' : '—'],
      [t('opps.socialValue'), o.social_value ?? undefined],
      [t('opps.contact'), o.contact ?? undefined],
      [t('opps.development'), dev],
    ]
    return h(
      'article',
      { class: 'detail', 'aria-labelledby': 'opp-h' },
      h('button', { type: 'button', class: 'link', onclick: () => { this.selected = undefined; this.ctx.refresh() } }, `← ${t('proposals.back')}`),
      h('h3', { id: 'opp-h' }, o.title),
      h('p', {}, o.description),
      h('dl', { class: 'props' }, rows.filter(([, v]) => v !== undefined).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v!)])),
      this.ctx.user
        ? h('button', { type: 'button', class: 'primary', onclick: () => void this.toggleInterest(o) }, o.interest_registered ? t('opps.withdraw') : t('opps.register'))
        : h('p', { class: 'muted' }, t('app.signInToUse')),
    )
  }

  private async toggleInterest(o: Opportunity) {
    const { t } = this.ctx.i18n
    try {
      if (o.interest_registered) await this.ctx.api.withdrawInterest(o.id)
      else await this.ctx.api.registerInterest(o.id)
      o.interest_registered = !o.interest_registered
      this.ctx.announce(o.interest_registered ? t('opps.registered') : t('opps.withdrawn'))
      this.ctx.refresh()
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }
}
