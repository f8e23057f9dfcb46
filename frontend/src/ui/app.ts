/**
 * The app shell: header with language switcher, the 3D view, the tabbed side panel (WAI-ARIA
 * tabs pattern: arrow keys move between tabs), the always-visible OSM attribution, and a
 * polite live region for announcements.
 */
import { Fragment, h as p, type JSX } from 'preact'
import type { Api, Id, Proposal, User } from '../api'
import { decodeDeepLink, encodeDeepLink, type DeepLinkState } from '../core/deeplink'
import type { MapView, PickedPoint } from '../core/mapview'
import { LOCALES, type I18n, type LocaleCode, type MessageKey } from '../i18n'
import { AccountPanel } from './account'
import { AdminPanel } from './admin'
import { FundingPanel } from './funding'
import { BuildingCard } from './buildingcard'
import { MapControls } from './mapcontrols'
import { AnalyticsPanel } from './analytics'
import { BuildingsList } from './buildings'
import { errorText, hasRole, type AppContext } from './context'
import { h } from './dom'
import { BuildingInfo, SunControl } from './info'
import { installEngagement } from './engagement'
import { installImpact } from './impact'
import { ModerationPanel } from './moderation'
import { OpportunitiesPanel } from './opportunities'
import { PlannerPanel } from './planner'
import { mount, renderTick } from './mount'
import { ProposalsPanel, provisionalProposal } from './proposals'
import { store, type Selection, type TabId } from './store'

/** how long the visible status line stays */
export const STATUS_SECONDS = 6
/**
 * The longest a panel click holds the 3D view's frames (framegate.ts) while its answer comes: an
 * answer slower than this (a slow network) no longer stops the view.
 */
export const HOLD_FRAMES_MS = 400

/** a panel's render result while the port to Preact goes on: a component tree, or an old element */
type Rendered = JSX.Element | null

export class App implements AppContext {
  map?: MapView
  /** the signed-in user: the store's */
  get user(): User | undefined {
    return store.user.value
  }
  set user(user: User | undefined) {
    store.user.value = user
  }
  /** the selection: the store's */
  get selection(): Selection {
    return store.selection.value
  }
  set selection(selection: Selection) {
    store.selection.value = selection
  }
  readonly root: HTMLElement
  readonly mapEl: HTMLElement
  readonly creditsEl: HTMLElement
  private readonly panelEl: HTMLElement
  private readonly statusEl: HTMLElement
  private readonly headerEl: HTMLElement
  private readonly proposals: ProposalsPanel
  private readonly opportunities: OpportunitiesPanel
  private readonly planner: PlannerPanel
  private readonly moderation: ModerationPanel
  private readonly admin: AdminPanel
  private readonly funding: FundingPanel
  private readonly account: AccountPanel
  private readonly analytics: AnalyticsPanel
  private readonly building: BuildingInfo
  private readonly buildings: BuildingsList
  readonly sun: SunControl
  private get tab(): TabId {
    return store.tab.value
  }
  private set tab(id: TabId) {
    store.tab.value = id
  }
  private refreshQueued = false
  private pendingLink: DeepLinkState

  constructor(readonly api: Api, readonly i18n: I18n, host: HTMLElement, opts: { shadows: boolean; hash: string; timeZone: string }) {
    this.pendingLink = decodeDeepLink(opts.hash)
    this.proposals = new ProposalsPanel(this)
    this.opportunities = new OpportunitiesPanel(this)
    this.planner = new PlannerPanel(this)
    this.moderation = new ModerationPanel(this)
    installImpact(this) // the proposal page's Impact section (issue 13)
    installEngagement(this) // follow, variants, questionnaire, you said we did, timeline (issue 14)
    this.admin = new AdminPanel(this)
    this.funding = new FundingPanel(this)
    this.account = new AccountPanel(this)
    this.analytics = new AnalyticsPanel(this)
    this.building = new BuildingInfo(this)
    this.buildings = new BuildingsList(this, (props) => {
      this.building.props = props
      store.building.value = props
      this.refresh()
    })
    this.sun = new SunControl(this, opts.shadows, opts.timeZone)
    this.headerEl = h('header', { class: 'top' })
    this.mapEl = h('div', { class: 'map', id: 'map', role: 'application', tabindex: '-1' })
    this.creditsEl = h('div', { class: 'credits' })
    this.statusEl = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' })
    this.panelEl = h('aside', { class: 'panel', id: 'panel', tabindex: '-1' })
    this.root = h(
      'div',
      { class: 'app' },
      h('a', { class: 'skip', href: '#panel' }, ''),
      this.headerEl,
      h(
        'main',
        { class: 'layout' },
        h('section', { class: 'map-wrap', 'aria-label': '' }, this.mapEl, h('footer', { class: 'attribution' }, h('p', { class: 'osm' }), this.creditsEl)),
        this.panelEl,
      ),
      this.statusEl,
    )
    host.replaceChildren(this.root)
    // input first (viewer/framegate.ts): a click in the panel holds the 3D view's next frame
    // until the panel's answer is painted, so a frame of a second without a GPU cannot delay it
    this.panelEl.addEventListener('click', () => this.holdFramesForAnswer(), { capture: true })
    store.locale.value = i18n.locale
    i18n.onChange(() => {
      store.locale.value = i18n.locale
      document.documentElement.lang = i18n.locale
      this.render()
    })
    document.documentElement.lang = i18n.locale
    window.addEventListener('hashchange', () => this.followHash())
    this.render()
  }

  /** the deployment's attribution text (from /api/v1/config), shown instead of the default */
  attribution?: string

  get initialCamera() {
    return this.pendingLink.camera
  }

  /** Attach the 3D view once it has started. */
  attachMap(map: MapView) {
    this.map = map
    // zoom, compass, home, help and legend over the 3D view (ui/mapcontrols.ts)
    const controls = document.createElement('div')
    this.root.querySelector('.map-wrap')?.appendChild(controls)
    new MapControls(this).mountInto(controls)
    const card = document.createElement('div')
    this.root.querySelector('.map-wrap')?.appendChild(card)
    new BuildingCard(this).mountInto(card)
    store.mapReady.value = true
    map.onBuildingSelected((props) => {
      this.building.props = props
      store.building.value = props
      this.refresh()
    })
    map.onCameraChanged(() => {
      this.writeHash()
      this.buildings.viewChanged()
    })
    this.sun.apply()
    // the panels may have loaded before the 3D view started: draw their data now
    void this.proposals.load()
    if (this.selection.proposal) {
      map.selectProposal(this.selection.proposal)
      if (!this.pendingLink.camera) map.flyToProposal(this.selection.proposal)
    }
    this.refresh()
  }

  async start() {
    // the vocabularies and limits of the one contract (form limits wait for them; nothing else does)
    void this.api
      .vocabularies()
      .then((v) => {
        store.vocab.value = v
        this.refresh()
      })
      .catch(() => undefined)
    this.user = await this.api.me().catch(() => undefined)
    await this.proposals.load()
    const id = Number(this.pendingLink.proposalId)
    if (Number.isInteger(id) && id > 0) {
      const comment = Number(this.pendingLink.commentId)
      await this.openProposal(id, { keepView: !!this.pendingLink.camera, commentId: Number.isInteger(comment) ? comment : undefined })
    }
    this.refresh()
  }

  /** a panel action's request in flight: the 3D view waits for its answer (see holdFramesForAnswer) */
  private answersPending = 0
  private answerAwaited = false

  private holdFramesForAnswer() {
    if (!this.map?.holdFrames) return
    this.map.holdFrames(HOLD_FRAMES_MS)
    this.answerAwaited = true
    // most clicks are answered at once (a tab, a radio, a box: rendered by their component,
    // not always by the app): frames come again after the next paint unless a request of the
    // action is pending, whose answer's render releases them (releaseFramesAfterPaint)
    this.releaseFramesAfterPaint()
  }

  /** once no answer is pending, frames come again after the next paint */
  private releaseFramesAfterPaint() {
    if (!this.answerAwaited) return
    // a task after the next animation frame runs after that frame's paint
    requestAnimationFrame(() =>
      setTimeout(() => {
        if (!this.answerAwaited || this.answersPending > 0) return
        this.answerAwaited = false
        this.map?.releaseFrames?.()
      }, 0),
    )
  }

  async openProposal(id: Id, opts: { keepView?: boolean; commentId?: Id } = {}) {
    // from the list: the view opens at once with what the list knows (title, stage, site, dates),
    // the rest fills in when the proposal's answer comes (sections say they are loading)
    const summary = !opts.keepView && this.selection.proposal?.id !== id ? this.proposals.list.value.find((s) => s.id === id) : undefined
    const early = summary ? provisionalProposal(summary) : undefined
    this.answersPending += 1
    if (early) this.select(early, opts.commentId)
    try {
      const p = await this.api.proposal(id).finally(() => (this.answersPending -= 1))
      // left meanwhile (back, another proposal): the answer is not wanted any more
      if (early && this.selection.proposal !== early) return
      const same = this.selection.proposal?.id === p.id
      if (same) {
        // a refresh of the selected proposal (stage change, new massing): keep comments open
        this.selection = { ...this.selection, proposal: p }
        this.proposals.onUpdate(p)
        this.map?.selectProposal(p)
        this.refresh()
      } else this.select(p, opts.commentId, !opts.keepView)
    } catch (err) {
      if (early && this.selection.proposal === early) this.select(undefined)
      this.announce(this.i18n.t('app.loadFailed', { detail: errorText(err) }))
    }
  }

  selectComment(commentId: Id | undefined) {
    this.selection = { ...this.selection, commentId }
    this.writeHash()
    this.refresh()
  }

  private statusTimer?: ReturnType<typeof setTimeout>

  announce(message: string) {
    // clear first so repeating the same message is announced again; the visible line then goes
    // after a few seconds (it must not sit over the controls, on a phone least of all)
    this.statusEl.textContent = ''
    clearTimeout(this.statusTimer)
    setTimeout(() => (this.statusEl.textContent = message), 50)
    this.statusTimer = setTimeout(() => (this.statusEl.textContent = ''), STATUS_SECONDS * 1000)
  }

  /** The building card's "comment on this building": the open proposal's form, anchored there. */
  commentOnBuilding(pick: PickedPoint) {
    const section = document.getElementById('proposal-say')
    section?.scrollIntoView({ block: 'start' })
    if (!this.user) {
      section?.querySelector<HTMLElement>('.sign-in-prompt a')?.focus()
      return
    }
    this.proposals.comments?.anchorAt(pick)
  }

  openAccount() {
    this.switchTab('account')
    const first = this.panelEl.querySelector<HTMLElement>('#tabpanel-account input, #tabpanel-account button')
    first?.focus()
  }

  setUser(user: User | undefined) {
    this.user = user
    if (!this.visibleTabs().includes(this.tab)) this.tab = 'proposals'
    // drafts are visible to planners only: reload the list for the new user
    void this.proposals.load()
    this.opportunities.userChanged()
    this.refresh()
  }

  /**
   * What opened the proposal shown, when it was not the proposals list (a work package's
   * "part of development" link, a tab's button): Back returns to that tab and focuses it.
   */
  private opener?: { tab: TabId; id: string }

  select(proposal: Proposal | undefined, commentId?: Id, fly = true) {
    const changed = proposal?.id !== this.selection.proposal?.id
    if (changed && proposal && !this.selection.proposal) {
      const id = (document.activeElement as HTMLElement | null)?.id
      this.opener = id && this.tab !== 'proposals' && this.tab !== 'analytics' ? { tab: this.tab, id } : undefined
    }
    this.selection = { proposal, commentId }
    if (changed) {
      this.map?.selectProposal(proposal)
      this.proposals.onSelect(proposal, commentId as number | undefined)
      if (proposal && fly && commentId === undefined) this.map?.flyToProposal(proposal)
      if (this.tab !== 'analytics') this.tab = 'proposals'
      if (this.tab === 'analytics') void this.analytics.load()
      const opener = proposal ? undefined : this.opener
      if (!proposal) this.opener = undefined
      if (opener && this.visibleTabs().includes(opener.tab)) {
        // after the list's own restore (proposals.ts): this focus comes last and wins
        this.tab = opener.tab
        requestAnimationFrame(() => requestAnimationFrame(() => document.getElementById(opener.id)?.focus()))
      }
    }
    this.writeHash()
    this.refresh()
  }

  private followHash() {
    const link = decodeDeepLink(location.hash)
    if (link.camera && this.map) this.map.setCamera(link.camera)
  }

  private writeHash() {
    const state: DeepLinkState = {
      camera: this.map?.getCamera() ?? this.pendingLink.camera,
      proposalId: this.selection.proposal ? String(this.selection.proposal.id) : undefined,
      commentId: this.selection.commentId !== undefined ? String(this.selection.commentId) : undefined,
    }
    const hash = encodeDeepLink(state)
    if (`#${hash}` !== location.hash) history.replaceState(null, '', hash ? `#${hash}` : location.pathname + location.search)
  }

  /** Re-render on the next frame (coalesces many updates). */
  refresh() {
    if (this.refreshQueued) return
    this.refreshQueued = true
    queueMicrotask(() => {
      this.refreshQueued = false
      this.render()
    })
  }

  private visibleTabs(): TabId[] {
    const tabs: TabId[] = ['proposals', 'opportunities', 'funding']
    if (hasRole(this.user, 'planner')) tabs.push('planner')
    if (hasRole(this.user, 'moderator')) tabs.push('moderation')
    // analytics are the planners' (the API refuses moderators)
    if (hasRole(this.user, 'planner')) tabs.push('analytics')
    // accounts and roles: administrators only (hasRole lets admins pass every role check)
    if (this.user?.roles.includes('admin')) tabs.push('admin')
    tabs.push('account')
    return tabs
  }

  private render() {
    const { t } = this.i18n
    renderTick.value += 1
    // chrome
    const skip = this.root.querySelector('.skip')!
    skip.textContent = t('app.skipToPanel')
    this.root.querySelector('.map-wrap')!.setAttribute('aria-label', t('app.map'))
    this.mapEl.setAttribute('aria-label', t('app.map'))
    this.root.querySelector('.osm')!.textContent = this.attribution ?? t('app.attribution')
    const lang = p(
      'select',
      { id: 'lang', onChange: (e: Event) => this.setLocale((e.target as HTMLSelectElement).value as LocaleCode) },
      LOCALES.map((l) => p('option', { value: l.code, lang: l.code, selected: l.code === this.i18n.locale }, l.name)),
    )
    mount(
      p(
        Fragment,
        null,
        p('h1', {}, t('app.title')),
        p('p', { class: 'tagline' }, t('app.tagline')),
        p('div', { class: 'lang' }, p('label', { for: 'lang' }, t('app.language')), lang),
      ),
      this.headerEl,
    )
    // tabs
    const tabs = this.visibleTabs()
    const tablist = p(
      'div',
      { role: 'tablist', 'aria-label': t('app.panel'), class: 'tabs', onKeyDown: (e: KeyboardEvent) => this.onTabKey(e, tabs) },
      tabs.map((id) =>
        p(
          'button',
          {
            key: id,
            type: 'button',
            role: 'tab',
            id: `tab-${id}`,
            'aria-selected': id === this.tab ? 'true' : 'false',
            'aria-controls': `tabpanel-${id}`,
            tabindex: id === this.tab ? 0 : -1,
            onClick: () => this.switchTab(id),
          },
          t(`tabs.${id}` as MessageKey),
        ),
      ),
    )
    const body = this.renderTab()
    // the tabs and the view's actions (before/after of the selected scheme, the sun study) stay
    // at the top of the panel however long its content is
    const actions = p(
      'section',
      { class: 'action-bar', 'aria-label': t('bar.label') },
      this.proposals.renderCommentHere(),
      this.proposals.renderBeforeAfter(),
      this.sun.render(),
    )
    mount(
      p(
        Fragment,
        null,
        p('div', { class: 'panel-head' }, tablist, actions),
        p('div', { role: 'tabpanel', id: `tabpanel-${this.tab}`, 'aria-labelledby': `tab-${this.tab}`, class: 'tabpanel' }, body),
        this.building.render(),
        this.buildings.render(),
      ),
      this.panelEl,
    )
    this.releaseFramesAfterPaint()
  }

  private renderTab(): Rendered {
    switch (this.tab) {
      case 'proposals':
        return this.proposals.render()
      case 'opportunities':
        return this.opportunities.render()
      case 'planner':
        return this.planner.render()
      case 'moderation':
        return this.moderation.render()
      case 'analytics':
        return this.analytics.render()
      case 'account':
        return this.account.render()
      case 'funding':
        return this.funding.render()
      case 'admin':
        return this.admin.render()
    }
  }

  private switchTab(id: TabId) {
    if (this.tab === 'planner' && id !== 'planner') this.planner.deactivate()
    this.tab = id
    if (id === 'moderation') void this.moderation.load()
    if (id === 'analytics') void this.analytics.load()
    if (id === 'admin') void this.admin.load()
    if (id === 'funding') void this.funding.load()
    this.render()
    document.getElementById(`tab-${id}`)?.focus()
  }

  private onTabKey(e: KeyboardEvent, tabs: TabId[]) {
    const i = tabs.indexOf(this.tab)
    let next: number | undefined
    if (e.key === 'ArrowRight' || e.key === 'ArrowDown') next = (i + 1) % tabs.length
    else if (e.key === 'ArrowLeft' || e.key === 'ArrowUp') next = (i - 1 + tabs.length) % tabs.length
    else if (e.key === 'Home') next = 0
    else if (e.key === 'End') next = tabs.length - 1
    if (next !== undefined) {
      e.preventDefault()
      this.switchTab(tabs[next])
    }
  }

  private setLocale(code: LocaleCode) {
    try {
      localStorage.setItem('civictwin.lang', code)
    } catch {
      /* storage may be disabled */
    }
    this.i18n.set(code)
    document.getElementById('lang')?.focus()
  }

  showMapMessage(key: MessageKey, kind: 'info' | 'error') {
    this.mapEl.appendChild(h('p', { class: `map-message ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, this.i18n.t(key)))
  }
}
