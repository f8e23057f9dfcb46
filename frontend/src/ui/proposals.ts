/** Proposals: list with filters, details, before/after, documents, and the comment threads. */
import { STAGES, subscribeProposalEvents, type Opportunity, type Proposal, type ProposalSummary, type Stage } from '../api'
import { formatDate, formatNumber, formatTimeLeft } from '../i18n/format'
import { CommentsView } from './comments'
import { errorText, type AppContext } from './context'
import { field, h } from './dom'
import { mount } from './mount'
import type { JSX } from 'preact'

/** Renders the proposal view's Impact section (set by the impact panel); none: no section. */
export type ImpactRenderer = (proposal: Proposal) => JSX.Element | null
let impactSection: ImpactRenderer | undefined

/** The mount point for the impact results: `setImpactSection((p) => h(ImpactView, { proposal: p }))`. */
export function setImpactSection(render: ImpactRenderer | undefined) {
  impactSection = render
}

export class ProposalsPanel {
  private list: ProposalSummary[] = []
  private total = 0
  private loaded = false
  private error?: string
  private stage: Stage | '' = ''
  private query = ''
  private beforeAfter: 'before' | 'after' = 'after'
  private comments?: CommentsView
  /** the selected proposal's work packages (opportunities) */
  private workPackages?: { proposalId: number; items: Opportunity[] }
  private unsubscribe?: () => void

  constructor(private readonly ctx: AppContext) {}

  async load() {
    try {
      const page = await this.ctx.api.proposals({ stage: this.stage ? [this.stage] : undefined, q: this.query || undefined, limit: 100 })
      this.list = page.items
      this.total = page.total
      this.error = undefined
    } catch (err) {
      this.list = []
      this.error = errorText(err)
    }
    this.loaded = true
    this.ctx.map?.showProposals(this.list, (p) => void this.ctx.openProposal(p.id))
    this.ctx.refresh()
  }

  /** Called by the app when the selection changes (from the list, the map or a deep link). */
  onSelect(p: Proposal | undefined, commentId: number | undefined) {
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.comments = undefined
    this.beforeAfter = 'after'
    this.workPackages = undefined
    // leaving a proposal clears its comment pins from the map
    if (!p) {
      this.ctx.map?.setComments([], () => undefined)
      return
    }
    void this.loadWorkPackages(p)
    const view = new CommentsView(this.ctx, p, commentId)
    this.comments = view
    void view.load()
    this.unsubscribe = subscribeProposalEvents(this.ctx.api, p.id, (ev) => {
      if (ev.type === 'stage_changed') {
        void this.ctx.openProposal(p.id, { keepView: true })
        void this.load()
      } else view.receive(ev)
    })
  }

  private async loadWorkPackages(p: Proposal) {
    const items = await this.ctx.api
      .opportunities({ proposal_id: p.id, limit: 100 })
      .then((page) => page.items)
      .catch(() => [])
    if (this.ctx.selection.proposal?.id !== p.id) return
    this.workPackages = { proposalId: p.id, items }
    this.ctx.refresh()
  }

  private renderWorkPackages(p: Proposal): HTMLElement[] {
    const { t, tag } = this.ctx.i18n
    const list = this.workPackages?.proposalId === p.id ? this.workPackages.items : undefined
    return [
      h('h3', { id: 'proposal-work-h' }, t('proposals.workPackages')),
      !list
        ? h('p', { class: 'muted' }, t('app.loading'))
        : list.length
          ? h(
              'ul',
              { class: 'work-packages', 'aria-labelledby': 'proposal-work-h' },
              list.map((o) =>
                h(
                  'li',
                  {},
                  h('strong', {}, o.title),
                  ' · ',
                  t(`oppStatus.${o.status}`),
                  o.tender_period.end ? [' · ', t('proposals.tenderCloses', { date: formatDate(String(o.tender_period.end), tag) })] : null,
                ),
              ),
            )
          : h('p', { class: 'muted' }, t('proposals.noWorkPackages')),
    ]
  }

  /** The selected proposal was fetched again (published, stage changed): keep its live state. */
  onUpdate(p: Proposal) {
    this.comments?.update(p)
  }

  render(): HTMLElement {
    const p = this.ctx.selection.proposal
    return p ? this.renderDetail(p) : this.renderList()
  }

  private renderList(): HTMLElement {
    const { t, plural, tag } = this.ctx.i18n
    const search = h('input', { type: 'search', value: this.query, name: 'q', id: 'proposals-q', autocomplete: 'off' })
    const stage = h(
      'select',
      { name: 'stage', id: 'proposals-stage' },
      h('option', { value: '' }, t('proposals.allStages')),
      STAGES.map((s) => h('option', { value: s, selected: s === this.stage }, t(`stage.${s}`))),
    )
    const form = h(
      'form',
      {
        class: 'filters',
        role: 'search',
        'aria-label': t('proposals.search'),
        onsubmit: (ev: Event) => {
          ev.preventDefault()
          this.query = search.value.trim()
          this.stage = stage.value as Stage | ''
          void this.load()
        },
      },
      h('div', { class: 'row' }, field(t('proposals.search'), search), field(t('proposals.stage'), stage)),
      h('button', { type: 'submit' }, t('opps.apply')),
    )
    let body: HTMLElement
    if (!this.loaded) body = h('p', { role: 'status' }, t('app.loading'))
    else if (this.error) body = h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: this.error }))
    else if (this.list.length === 0) body = h('p', {}, t('proposals.empty'))
    else
      body = h(
        'div',
        {},
        h('p', { class: 'count' }, plural('proposals.count', this.total)),
        h(
          'ul',
          { class: 'cards', 'aria-label': t('proposals.heading') },
          this.list.map((p) =>
            h(
              'li',
              {},
              h(
                'button',
                { class: 'card', type: 'button', onclick: () => void this.ctx.openProposal(p.id) },
                h('span', { class: 'card-title' }, p.title),
                h('span', { class: `badge stage-${p.stage}` }, t(`stage.${p.stage}`)),
                p.site_address ? h('span', { class: 'muted' }, p.site_address) : null,
                p.stage === 'consultation' && p.consultation_end
                  ? h('span', { class: 'muted' }, this.timeLeft(p.consultation_end, tag))
                  : null,
              ),
            ),
          ),
        ),
      )
    return h('section', { 'aria-labelledby': 'proposals-h' }, h('h2', { id: 'proposals-h' }, t('proposals.heading')), form, body)
  }

  private timeLeft(end: string, tag: string): string {
    const { t } = this.ctx.i18n
    const left = formatTimeLeft(end, new Date(), tag)
    return left ? t('proposals.timeLeft', { relative: left }) : t('proposals.closed')
  }

  private renderDetail(p: Proposal): HTMLElement {
    const { t, plural, tag } = this.ctx.i18n
    const dl: HTMLElement[] = []
    const row = (label: string, ...value: (string | HTMLElement)[]) => {
      dl.push(h('dt', {}, label), h('dd', {}, ...value))
    }
    row(t('proposals.reference'), p.reference)
    row(t('proposals.stage'), t(`stage.${p.stage}`), p.decision ? ` · ${t(`decision.${p.decision}`)}` : '')
    if (p.site_address) row(t('proposals.address'), p.site_address)
    if (p.consultation_start && p.consultation_end) {
      row(
        t('proposals.consultation'),
        t('proposals.consultationDates', { start: formatDate(p.consultation_start, tag), end: formatDate(p.consultation_end, tag) }),
        h('br'),
        h('strong', {}, this.timeLeft(p.consultation_end, tag)),
      )
    }
    if (p.dwellings != null) row(t('proposals.dwellings'), formatNumber(p.dwellings, tag))
    if (p.floor_area_proposed_m2 != null) row(t('proposals.floorArea'), t('unit.squareMetres', { value: formatNumber(p.floor_area_proposed_m2, tag) }))
    if (p.use_classes_existing.length || p.use_classes_proposed.length) {
      row(
        t('proposals.useClasses'),
        t('proposals.useExisting', { value: p.use_classes_existing.join(', ') || t('app.none') }),
        h('br'),
        t('proposals.useProposed', { value: p.use_classes_proposed.join(', ') || t('app.none') }),
      )
    }
    const blocks = ((p.massing as { features?: { properties?: Record<string, unknown> }[] }).features ?? []).map((f) => f.properties ?? {})
    const docs = p.documents.length
      ? h(
          'ul',
          {},
          p.documents.map((d) => h('li', {}, h('a', { href: d.url.replace(/^\//, ''), target: '_blank', rel: 'noopener' }, d.title || d.filename))),
        )
      : h('p', { class: 'muted' }, t('proposals.noDocuments'))
    return h(
      'section',
      { 'aria-labelledby': 'proposal-h', class: 'detail' },
      h('button', { type: 'button', class: 'link', id: 'proposal-back', onclick: () => this.ctx.select(undefined) }, `← ${t('proposals.back')}`),
      h('h2', { id: 'proposal-h' }, p.title),
      h('p', {}, p.description),
      h('dl', { class: 'props' }, dl),
      p.replaces.length ? h('p', { class: 'muted' }, plural('proposals.replaces', p.replaces.length)) : null,
      blocks.length
        ? h(
            'table',
            { class: 'massing' },
            h('caption', {}, t('proposals.massing')),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('planner.title')), h('th', { scope: 'col' }, t('planner.height')), h('th', { scope: 'col' }, t('planner.storeys')))),
            h(
              'tbody',
              {},
              blocks.map((b, i) =>
                h(
                  'tr',
                  {},
                  h('th', { scope: 'row' }, String(b.name || t('planner.block', { n: i + 1 }))),
                  h('td', {}, typeof b.height_m === 'number' ? formatNumber(b.height_m, tag) : '—'),
                  h('td', {}, typeof b.storeys === 'number' ? formatNumber(b.storeys, tag) : '—'),
                ),
              ),
            ),
          )
        : null,
      h('button', { type: 'button', onclick: () => this.ctx.map?.flyToProposal(p), disabled: !this.ctx.map }, t('proposals.flyTo')),
      h('h3', {}, t('proposals.documents')),
      docs,
      this.renderWorkPackages(p),
      this.renderImpact(p),
      this.comments?.render() ?? null,
    )
  }

  private renderImpact(p: Proposal): HTMLElement | null {
    const content = impactSection?.(p)
    if (!content) return null
    const host = h('section', { id: 'proposal-impact', 'aria-labelledby': 'proposal-impact-h' }, h('h3', { id: 'proposal-impact-h' }, this.ctx.i18n.t('proposals.impact')))
    const body = h('div', {})
    mount(content, body)
    host.append(body)
    return host
  }

  /** Before/after of the selected scheme, for the panel's action bar (null without a selection). */
  renderBeforeAfter(): HTMLElement | null {
    if (!this.ctx.selection.proposal) return null
    const { t } = this.ctx.i18n
    return h(
      'fieldset',
      { class: 'segmented' },
      h('legend', {}, t('proposals.beforeAfter')),
      (['before', 'after'] as const).map((mode) => {
        const id = `ba-${mode}`
        return h(
          'span',
          {},
          h('input', {
            type: 'radio',
            name: 'before-after',
            id,
            value: mode,
            checked: this.beforeAfter === mode,
            onchange: () => {
              this.beforeAfter = mode
              this.ctx.map?.setBeforeAfter(mode)
              this.ctx.announce(t(`proposals.${mode}`))
            },
          }),
          h('label', { for: id }, t(`proposals.${mode}`)),
        )
      }),
    )
  }
}
