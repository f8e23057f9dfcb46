/**
 * Proposals: the list with filters, and a proposal as its own view (map first: the camera flies to
 * the site) with sections — overview, documents, have your say, work packages, impact — a way
 * back that keeps the list (filters, scroll position, the card focused) and the camera, and the
 * action bar's "comment here" and before/after.
 */
import { signal } from '@preact/signals'
import { Fragment, h, type JSX } from 'preact'
import { STAGES, subscribeProposalEvents, type Opportunity, type Proposal, type ProposalSummary, type Stage } from '../api'
import type { CameraView } from '../core/geo'
import type { MessageKey } from '../i18n'
import { formatDate, formatNumber, formatTimeLeft } from '../i18n/format'
import { CommentsView } from './comments'
import { field } from './components'
import { errorText, type AppContext } from './context'
import { currentTick } from './mount'
import { store, useI18n } from './store'
import { VariantShown } from './variantbar'

/** Renders the proposal view's Impact section (set by the impact panel); none: no section. */
export type ImpactRenderer = (proposal: Proposal) => JSX.Element | null
const impactSection = signal<ImpactRenderer | undefined>(undefined)

/** The mount point for the impact results: `setImpactSection((p) => h(ImpactView, { proposal: p }))`. */
export function setImpactSection(render: ImpactRenderer | undefined) {
  impactSection.value = render
}

/** Renders the participation loop's sections (follow, variants, questionnaire, "you said, we
 * did", timeline; issue 14), set by `installEngagement`; none: no sections. */
export type EngagementRenderer = (proposal: Proposal) => JSX.Element | null
const engagementSections = signal<EngagementRenderer | undefined>(undefined)

export function setEngagementSections(render: EngagementRenderer | undefined) {
  engagementSections.value = render
}

/** the sections of a proposal's view, in order (ids of their headings' sections) */
const SECTIONS = [
  { id: 'proposal-overview', key: 'proposals.overview' },
  { id: 'proposal-documents', key: 'proposals.documents' },
  { id: 'proposal-say', key: 'proposals.haveYourSay' },
  { id: 'proposal-work', key: 'proposals.workPackages' },
  { id: 'proposal-impact', key: 'proposals.impact' },
] as const satisfies readonly { id: string; key: MessageKey }[]

/** proposals made from a list item while the whole proposal is on its way (see provisionalProposal) */
const provisional = new WeakSet<Proposal>()

/**
 * A proposal's view from its list item, shown at once when a card is clicked: the list knows the
 * title, stage, address, site and dates; what it does not (description, documents, massing) is
 * empty and marked as loading until the API's answer replaces it.
 */
export function provisionalProposal(s: ProposalSummary): Proposal {
  const p: Proposal = {
    ...s,
    description: '',
    use_classes_existing: [],
    use_classes_proposed: [],
    dwellings: null,
    floor_area_existing_m2: null,
    floor_area_proposed_m2: null,
    decision_date: null,
    tileset: null,
    replaces: [],
    massing: { type: 'FeatureCollection', features: [] },
    massing_tileset_url: null,
    model: null,
    documents: [],
    created_by: null,
    created_at: s.updated_at,
  }
  provisional.add(p)
  return p
}

/** true while `p` is a list item's stand-in (provisionalProposal) */
export function isProvisional(p: Proposal): boolean {
  return provisional.has(p)
}

export class ProposalsPanel {
  readonly list = signal<ProposalSummary[]>([])
  readonly total = signal(0)
  readonly loaded = signal(false)
  readonly error = signal<string | undefined>(undefined)
  /** the filters applied to the list (kept while a proposal is open) */
  readonly stage = signal<Stage | ''>('')
  readonly query = signal('')
  readonly beforeAfter = signal<'before' | 'after'>('after')
  /** the selected proposal's work packages (opportunities) */
  readonly workPackages = signal<{ proposalId: number; items: Opportunity[] } | undefined>(undefined)
  comments?: CommentsView
  private unsubscribe?: () => void
  /** where the list was when a proposal opened: restored on the way back */
  private listState?: { scrollTop: number; camera?: CameraView; proposalId: number }

  constructor(readonly ctx: AppContext) {}

  async load() {
    try {
      const page = await this.ctx.api.proposals({ stage: this.stage.value ? [this.stage.value] : undefined, q: this.query.value || undefined, limit: 100 })
      this.list.value = page.items
      this.total.value = page.total
      this.error.value = undefined
    } catch (err) {
      this.list.value = []
      this.error.value = errorText(err)
    }
    this.loaded.value = true
    this.ctx.map?.showProposals(this.list.value, (p) => void this.ctx.openProposal(p.id))
    this.ctx.refresh()
  }

  /** Called by the app when the selection changes (from the list, the map or a deep link). */
  onSelect(p: Proposal | undefined, commentId: number | undefined) {
    const previous = this.comments
    this.unsubscribe?.()
    this.unsubscribe = undefined
    this.comments = undefined
    this.beforeAfter.value = 'after'
    this.workPackages.value = undefined
    if (!p) {
      // leaving a proposal clears its comment pins from the map, and brings the list back as it was
      this.ctx.map?.setComments([], () => undefined)
      if (previous) this.restoreList()
      return
    }
    if (!previous) {
      const panel = document.getElementById('panel')
      this.listState = { scrollTop: panel?.scrollTop ?? 0, camera: this.ctx.map?.getCamera(), proposalId: p.id }
    }
    void this.loadWorkPackages(p)
    const view = new CommentsView(this.ctx, p, commentId)
    this.comments = view
    void view.load()
    this.unsubscribe = subscribeProposalEvents(this.ctx.api, p.id, (ev) => {
      store.live.value = ev
      if (ev.type === 'stage_changed') {
        void this.ctx.openProposal(p.id, { keepView: true })
        void this.load()
      } else view.receive(ev)
    })
    // the view opens at its top with its title focused (a comment to show focuses itself)
    if (commentId === undefined) {
      afterRender(() => {
        const panel = document.getElementById('panel')
        if (panel) panel.scrollTop = 0
        document.getElementById('proposal-h')?.focus()
      })
    }
  }

  private restoreList() {
    const state = this.listState
    this.listState = undefined
    if (!state) return
    if (state.camera) this.ctx.map?.setCamera(state.camera)
    afterRender(() => {
      const panel = document.getElementById('panel')
      if (panel) panel.scrollTop = state.scrollTop
      const card = document.getElementById(`proposal-card-${state.proposalId}`) ?? document.getElementById('proposals-h')
      card?.focus({ preventScroll: true })
    })
  }

  private async loadWorkPackages(p: Proposal) {
    const items = await this.ctx.api
      .opportunities({ proposal_id: p.id, limit: 100 })
      .then((page) => page.items)
      .catch(() => [])
    if (this.ctx.selection.proposal?.id !== p.id) return
    this.workPackages.value = { proposalId: p.id, items }
  }

  /** The selected proposal was fetched again (published, stage changed): keep its live state. */
  onUpdate(p: Proposal) {
    this.comments?.update(p)
  }

  /** "Comment here": to the form, and pick the point in the 3D view (or sign in first). */
  commentHere() {
    const section = document.getElementById('proposal-say')
    section?.scrollIntoView({ block: 'start' })
    if (!this.ctx.user) {
      section?.querySelector<HTMLElement>('.sign-in-prompt a')?.focus()
      return
    }
    if (this.ctx.map) void this.comments?.pick()
    else document.getElementById('comment-body-new')?.focus()
  }

  render(): JSX.Element {
    return h(ProposalsView, { panel: this, tick: currentTick() })
  }

  /** Before/after of the selected scheme, for the panel's action bar (null without a selection). */
  renderBeforeAfter(): JSX.Element | null {
    if (!this.ctx.selection.proposal) return null
    // issue 14: the design variant drawn in 3D is named next to before/after (ui/variantbar.ts)
    return h(Fragment, null, h(BeforeAfter, { panel: this }), h(VariantShown, { ctx: this.ctx }))
  }

  /** "Comment here" for the action bar, while the selected proposal is open for comments. */
  renderCommentHere(): JSX.Element | null {
    const p = this.ctx.selection.proposal
    if (!p || p.stage !== 'consultation') return null
    return h('button', { type: 'button', class: 'primary', id: 'bar-comment-here', onClick: () => this.commentHere() }, this.ctx.i18n.t('bar.commentHere'))
  }
}

/** Run after the app's next render (it renders on a microtask) and before the next paint. */
function afterRender(fn: () => void) {
  requestAnimationFrame(fn)
}

function ProposalsView({ panel, tick }: { panel: ProposalsPanel; tick: number }) {
  const p = store.selection.value.proposal
  return p ? h(ProposalDetail, { panel, p, tick }) : h(ProposalList, { panel })
}

function timeLeft(panel: ProposalsPanel, end: string): string {
  const { t, tag } = useI18n(panel.ctx)
  const left = formatTimeLeft(end, new Date(), tag)
  return left ? t('proposals.timeLeft', { relative: left }) : t('proposals.closed')
}

function ProposalList({ panel }: { panel: ProposalsPanel }) {
  const { t, plural } = useI18n(panel.ctx)
  const list = panel.list.value
  // the fields hold the filters as typed; the list follows them when the form is sent
  const onSubmit = (ev: Event) => {
    ev.preventDefault()
    panel.query.value = panel.query.value.trim()
    void panel.load()
  }
  const form = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': t('proposals.search'), onSubmit },
    h(
      'div',
      { class: 'row' },
      field(t('proposals.search'), h('input', {
        type: 'search',
        value: panel.query.value,
        name: 'q',
        id: 'proposals-q',
        autocomplete: 'off',
        onInput: (e: Event) => (panel.query.value = (e.target as HTMLInputElement).value),
      })),
      field(
        t('proposals.stage'),
        h(
          'select',
          {
            name: 'stage',
            id: 'proposals-stage',
            value: panel.stage.value,
            onChange: (e: Event) => (panel.stage.value = (e.target as HTMLSelectElement).value as Stage | ''),
          },
          h('option', { value: '' }, t('proposals.allStages')),
          STAGES.map((s) => h('option', { key: s, value: s }, t(`stage.${s}`))),
        ),
      ),
    ),
    h('button', { type: 'submit' }, t('opps.apply')),
  )
  let body: JSX.Element
  if (!panel.loaded.value) body = h('p', { role: 'status' }, t('app.loading'))
  else if (panel.error.value) body = h('p', { class: 'error', role: 'alert' }, t('app.loadFailed', { detail: panel.error.value }))
  else if (list.length === 0) body = h('p', {}, t('proposals.empty'))
  else
    body = h(
      'div',
      {},
      h('p', { class: 'count' }, plural('proposals.count', panel.total.value)),
      h(
        'ul',
        { class: 'cards', 'aria-label': t('proposals.heading') },
        list.map((p) =>
          h(
            'li',
            { key: p.id },
            h(
              'button',
              { class: 'card', type: 'button', id: `proposal-card-${p.id}`, onClick: () => void panel.ctx.openProposal(p.id) },
              h('span', { class: 'card-title' }, p.title),
              h('span', { class: `badge stage-${p.stage}` }, t(`stage.${p.stage}`)),
              p.site_address ? h('span', { class: 'muted' }, p.site_address) : null,
              p.stage === 'consultation' && p.consultation_end ? h('span', { class: 'muted' }, timeLeft(panel, p.consultation_end)) : null,
            ),
          ),
        ),
      ),
    )
  return h(
    'section',
    { 'aria-labelledby': 'proposals-h', class: 'proposal-list' },
    h('h2', { id: 'proposals-h', tabindex: -1 }, t('proposals.heading')),
    form,
    body,
  )
}

// `tick` (the app's render count) renders it again when `panel.comments` is replaced (a plain field)
function ProposalDetail({ panel, p, tick: _tick }: { panel: ProposalsPanel; p: Proposal; tick: number }) {
  const { t } = useI18n(panel.ctx)
  const impact = impactSection.value?.(p) ?? null
  const sections = SECTIONS.filter((s) => s.id !== 'proposal-impact' || impact)
  const goTo = (id: string) => {
    const el = document.getElementById(id)
    el?.scrollIntoView({ block: 'start' })
    el?.querySelector<HTMLElement>('h3')?.focus({ preventScroll: true })
  }
  return h(
    'article',
    { 'aria-labelledby': 'proposal-h', class: 'detail proposal-view' },
    h('button', { type: 'button', class: 'link', id: 'proposal-back', onClick: () => panel.ctx.select(undefined) }, `← ${t('proposals.back')}`),
    h('h2', { id: 'proposal-h', tabindex: -1 }, p.title),
    h('p', { class: 'proposal-stage' }, h('span', { class: `badge stage-${p.stage}` }, t(`stage.${p.stage}`))),
    h(
      'nav',
      { class: 'sections', 'aria-label': t('proposals.sections') },
      h(
        'ul',
        {},
        sections.map((s) => h('li', { key: s.id }, h('button', { type: 'button', class: 'chip', onClick: () => goTo(s.id) }, t(s.key)))),
      ),
    ),
    h(Overview, { panel, p }),
    h(Documents, { panel, p }),
    h(
      'section',
      { id: 'proposal-say', 'aria-labelledby': 'proposal-say-h' },
      h('h3', { id: 'proposal-say-h', tabindex: -1 }, t('proposals.haveYourSay')),
      panel.comments ? panel.comments.render() : null,
    ),
    engagementSections.value?.(p) ?? null,
    h(WorkPackages, { panel, p }),
    impact
      ? h(
          'section',
          { id: 'proposal-impact', 'aria-labelledby': 'proposal-impact-h' },
          h('h3', { id: 'proposal-impact-h', tabindex: -1 }, t('proposals.impact')),
          impact,
        )
      : null,
  )
}

function Overview({ panel, p }: { panel: ProposalsPanel; p: Proposal }) {
  const { t, plural, tag } = useI18n(panel.ctx)
  const rows: [string, ...(string | JSX.Element)[]][] = []
  rows.push([t('proposals.reference'), p.reference])
  rows.push([t('proposals.stage'), t(`stage.${p.stage}`), p.decision ? ` · ${t(`decision.${p.decision}`)}` : ''])
  if (p.site_address) rows.push([t('proposals.address'), p.site_address])
  if (p.consultation_start && p.consultation_end) {
    rows.push([
      t('proposals.consultation'),
      t('proposals.consultationDates', { start: formatDate(p.consultation_start, tag), end: formatDate(p.consultation_end, tag) }),
      h('br', {}),
      h('strong', {}, timeLeft(panel, p.consultation_end)),
    ])
  }
  if (p.dwellings != null) rows.push([t('proposals.dwellings'), formatNumber(p.dwellings, tag)])
  if (p.floor_area_proposed_m2 != null) rows.push([t('proposals.floorArea'), t('unit.squareMetres', { value: formatNumber(p.floor_area_proposed_m2, tag) })])
  if (p.use_classes_existing.length || p.use_classes_proposed.length) {
    rows.push([
      t('proposals.useClasses'),
      t('proposals.useExisting', { value: p.use_classes_existing.join(', ') || t('app.none') }),
      h('br', {}),
      t('proposals.useProposed', { value: p.use_classes_proposed.join(', ') || t('app.none') }),
    ])
  }
  const blocks = ((p.massing as { features?: { properties?: Record<string, unknown> }[] }).features ?? []).map((f) => f.properties ?? {})
  return h(
    'section',
    { id: 'proposal-overview', 'aria-labelledby': 'proposal-overview-h' },
    h('h3', { id: 'proposal-overview-h', tabindex: -1 }, t('proposals.overview')),
    isProvisional(p) ? h('p', { class: 'muted', role: 'status' }, t('app.loading')) : h('p', {}, p.description),
    h(
      'dl',
      { class: 'props' },
      rows.map(([label, ...value]) => [h('dt', { key: `t-${label}` }, label), h('dd', { key: `d-${label}` }, ...value)]),
    ),
    p.replaces.length ? h('p', { class: 'muted' }, plural('proposals.replaces', p.replaces.length)) : null,
    blocks.length
      ? h(
          'table',
          { class: 'massing' },
          h('caption', {}, t('proposals.massing')),
          h(
            'thead',
            {},
            h('tr', {}, h('th', { scope: 'col' }, t('planner.title')), h('th', { scope: 'col' }, t('planner.height')), h('th', { scope: 'col' }, t('planner.storeys'))),
          ),
          h(
            'tbody',
            {},
            blocks.map((b, i) =>
              h(
                'tr',
                { key: i },
                h('th', { scope: 'row' }, String(b.name || t('planner.block', { n: i + 1 }))),
                h('td', {}, typeof b.height_m === 'number' ? formatNumber(b.height_m, tag) : '—'),
                h('td', {}, typeof b.storeys === 'number' ? formatNumber(b.storeys, tag) : '—'),
              ),
            ),
          ),
        )
      : null,
    h('button', { type: 'button', onClick: () => panel.ctx.map?.flyToProposal(p), disabled: !store.mapReady.value }, t('proposals.flyTo')),
  )
}

function Documents({ panel, p }: { panel: ProposalsPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  return h(
    'section',
    { id: 'proposal-documents', 'aria-labelledby': 'proposal-documents-h' },
    h('h3', { id: 'proposal-documents-h', tabindex: -1 }, t('proposals.documents')),
    isProvisional(p)
      ? h('p', { class: 'muted' }, t('app.loading'))
      : p.documents.length
      ? h(
          'ul',
          {},
          p.documents.map((d) => h('li', { key: d.url }, h('a', { href: d.url.replace(/^\//, ''), target: '_blank', rel: 'noopener' }, d.title || d.filename))),
        )
      : h('p', { class: 'muted' }, t('proposals.noDocuments')),
  )
}

function WorkPackages({ panel, p }: { panel: ProposalsPanel; p: Proposal }) {
  const { t, tag } = useI18n(panel.ctx)
  const wp = panel.workPackages.value
  const list = wp?.proposalId === p.id ? wp.items : undefined
  return h(
    'section',
    { id: 'proposal-work', 'aria-labelledby': 'proposal-work-h' },
    h('h3', { id: 'proposal-work-h', tabindex: -1 }, t('proposals.workPackages')),
    !list
      ? h('p', { class: 'muted' }, t('app.loading'))
      : list.length
        ? h(
            'ul',
            { class: 'work-packages', 'aria-labelledby': 'proposal-work-h' },
            list.map((o) =>
              h(
                'li',
                { key: o.id },
                h('strong', {}, o.title),
                ' · ',
                t(`oppStatus.${o.status}`),
                o.tender_period.end ? [' · ', t('proposals.tenderCloses', { date: formatDate(String(o.tender_period.end), tag) })] : null,
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('proposals.noWorkPackages')),
  )
}

function BeforeAfter({ panel }: { panel: ProposalsPanel }) {
  const { t } = useI18n(panel.ctx)
  return h(
    'fieldset',
    { class: 'segmented' },
    h('legend', {}, t('proposals.beforeAfter')),
    (['before', 'after'] as const).map((mode) => {
      const id = `ba-${mode}`
      return h(
        'span',
        { key: mode },
        h('input', {
          type: 'radio',
          name: 'before-after',
          id,
          value: mode,
          checked: panel.beforeAfter.value === mode,
          onChange: () => {
            panel.beforeAfter.value = mode
            panel.ctx.map?.setBeforeAfter(mode)
            panel.ctx.announce(t(`proposals.${mode}`))
          },
        }),
        h('label', { for: id }, t(`proposals.${mode}`)),
      )
    }),
  )
}
