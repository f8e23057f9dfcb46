/**
 * The app shell: header with language switcher, the 3D view, the tabbed side panel (WAI-ARIA
 * tabs pattern: arrow keys move between tabs), the always-visible OSM attribution, and a
 * polite live region for announcements.
 */
import type { Api, Comment, Proposal, User } from '../api'
import { decodeDeepLink, encodeDeepLink, type DeepLinkState } from '../core/deeplink'
import type { MapView } from '../core/mapview'
import { LOCALES, type I18n, type LocaleCode, type MessageKey } from '../i18n'
import { AccountPanel } from './account'
import { hasRole, type AppContext } from './context'
import { h, replaceChildren, resetUids } from './dom'
import { BuildingInfo, SunControl } from './info'
import { ModerationPanel } from './moderation'
import { OpportunitiesPanel } from './opportunities'
import { PlannerPanel } from './planner'
import { ProposalsPanel } from './proposals'

type TabId = 'proposals' | 'opportunities' | 'planner' | 'moderation' | 'account'

export class App implements AppContext {
  map?: MapView
  user?: User
  selection: { proposal?: Proposal; comment?: Comment } = {}
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
  private readonly account: AccountPanel
  private readonly building: BuildingInfo
  readonly sun: SunControl
  private tab: TabId = 'proposals'
  private refreshQueued = false
  private pendingLink: DeepLinkState

  constructor(readonly api: Api, readonly i18n: I18n, host: HTMLElement, opts: { shadows: boolean; hash: string }) {
    this.pendingLink = decodeDeepLink(opts.hash)
    this.proposals = new ProposalsPanel(this)
    this.opportunities = new OpportunitiesPanel(this)
    this.planner = new PlannerPanel(this)
    this.moderation = new ModerationPanel(this)
    this.account = new AccountPanel(this)
    this.building = new BuildingInfo(this)
    this.sun = new SunControl(this, opts.shadows)
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
    i18n.onChange(() => {
      document.documentElement.lang = i18n.locale
      this.render()
    })
    document.documentElement.lang = i18n.locale
    window.addEventListener('hashchange', () => this.followHash())
    this.render()
  }

  get initialCamera() {
    return this.pendingLink.camera
  }

  /** Attach the 3D view once it has started. */
  attachMap(map: MapView) {
    this.map = map
    map.onBuildingSelected((props) => {
      this.building.props = props
      this.refresh()
    })
    map.onCameraChanged(() => this.writeHash())
    this.sun.apply()
    this.refresh()
  }

  async start() {
    this.user = await this.api.me().catch(() => undefined)
    await this.proposals.load()
    const id = this.pendingLink.proposalId
    if (id) {
      const p = await this.api.proposal(id).catch(() => undefined)
      if (p) this.select(p, this.pendingLink.commentId ? ({ id: this.pendingLink.commentId } as Comment) : undefined, false)
    }
  }

  announce(message: string) {
    // clear first so repeating the same message is announced again
    this.statusEl.textContent = ''
    setTimeout(() => (this.statusEl.textContent = message), 50)
  }

  setUser(user: User | undefined) {
    this.user = user
    if (!this.visibleTabs().includes(this.tab)) this.tab = 'proposals'
    void this.moderation.load()
    this.refresh()
  }

  select(proposal: Proposal | undefined, comment?: Comment, fly = true) {
    const changed = String(proposal?.id) !== String(this.selection.proposal?.id)
    this.selection = { proposal, comment }
    if (changed) {
      this.map?.selectProposal(proposal)
      this.proposals.onSelect(proposal, comment)
      if (proposal && fly && !comment) this.map?.flyToProposal(proposal)
      if (proposal && !fly && !this.pendingLink.camera) this.map?.flyToProposal(proposal)
      this.tab = 'proposals'
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
      commentId: this.selection.comment ? String(this.selection.comment.id) : undefined,
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
    const tabs: TabId[] = ['proposals', 'opportunities']
    if (hasRole(this.user, 'planner')) tabs.push('planner')
    if (hasRole(this.user, 'moderator', 'planner')) tabs.push('moderation')
    tabs.push('account')
    return tabs
  }

  private render() {
    const { t } = this.i18n
    const focusedId = document.activeElement?.id
    resetUids()
    // chrome
    const skip = this.root.querySelector('.skip')!
    skip.textContent = t('app.skipToPanel')
    this.root.querySelector('.map-wrap')!.setAttribute('aria-label', t('app.map'))
    this.mapEl.setAttribute('aria-label', t('app.map'))
    this.root.querySelector('.osm')!.textContent = t('app.attribution')
    const lang = h(
      'select',
      { id: 'lang', onchange: (e: Event) => this.setLocale((e.target as HTMLSelectElement).value as LocaleCode) },
      LOCALES.map((l) => h('option', { value: l.code, lang: l.code, selected: l.code === this.i18n.locale }, l.name)),
    )
    replaceChildren(
      this.headerEl,
      h('h1', {}, t('app.title')),
      h('p', { class: 'tagline' }, t('app.tagline')),
      h('div', { class: 'lang' }, h('label', { for: 'lang' }, t('app.language')), lang),
    )
    // tabs
    const tabs = this.visibleTabs()
    const tablist = h(
      'div',
      { role: 'tablist', 'aria-label': t('app.panel'), class: 'tabs', onkeydown: (e: KeyboardEvent) => this.onTabKey(e, tabs) },
      tabs.map((id) =>
        h(
          'button',
          {
            type: 'button',
            role: 'tab',
            id: `tab-${id}`,
            'aria-selected': id === this.tab ? 'true' : 'false',
            'aria-controls': `tabpanel-${id}`,
            tabindex: id === this.tab ? '0' : '-1',
            onclick: () => this.switchTab(id),
          },
          t(`tabs.${id}` as MessageKey),
        ),
      ),
    )
    const body = this.renderTab()
    replaceChildren(
      this.panelEl,
      tablist,
      h('div', { role: 'tabpanel', id: `tabpanel-${this.tab}`, 'aria-labelledby': `tab-${this.tab}`, class: 'tabpanel' }, body),
      this.building.render(),
      this.sun.render(),
    )
    const sunOpen = this.panelEl.querySelector('details.sun') as HTMLDetailsElement | null
    if (sunOpen && this.sunOpen) sunOpen.open = true
    sunOpen?.addEventListener('toggle', () => (this.sunOpen = sunOpen.open))
    if (focusedId) document.getElementById(focusedId)?.focus()
  }
  private sunOpen = false

  private renderTab(): HTMLElement {
    switch (this.tab) {
      case 'proposals':
        return this.proposals.render()
      case 'opportunities':
        return this.opportunities.render()
      case 'planner':
        return this.planner.render()
      case 'moderation':
        return this.moderation.render()
      case 'account':
        return this.account.render()
    }
  }

  private switchTab(id: TabId) {
    if (this.tab === 'planner' && id !== 'planner') this.planner.deactivate()
    this.tab = id
    if (id === 'moderation') void this.moderation.load()
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
