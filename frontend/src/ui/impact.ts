/**
 * The proposal's Impact section (issue 13): the study's summary in words, its progress while it
 * computes, colour maps of façades and ground in 3D (before, after, difference) with a legend
 * that marks BRE 209's thresholds, a point's values (clicked in 3D or chosen from the list), a
 * comment about one point, the zone of theoretical visibility (drawn on the ground when asked,
 * always given as areas and shares) and the protected views (drawn as eye and line of sight,
 * each with its result, and opened as cameras). Mounted with
 * `setImpactSection` (proposals.ts) by `installImpact(ctx)`.
 */
import { signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Proposal } from '../api'
import {
  impactCsvUrl,
  impactPoints,
  impactReportUrl,
  impactStatus,
  impactViewpoints,
  impactZone,
  requestImpact,
  type ImpactPoint,
  type ImpactPoints,
  type ImpactStatus,
  type ImpactViewpoint,
  type ZoneFeature,
} from '../api/impact'
import {
  colourOf,
  cssColour,
  factSentences,
  IMPACT_ANALYSES,
  IMPACT_MODES,
  legendTicks,
  mapPoints,
  pointValue,
  scaleFor,
  viewCamera,
  viewsOnMap,
  zonePolygons,
  zoneRows,
  type ImpactAnalysis,
  type ImpactFact,
  type ImpactMode,
  type Sentence,
  type ViewOnMap,
} from '../core/impact'
import { ApiError } from '../api/client'
import type { SchemeOutline } from '../core/mapview'
import { massingBlocks } from '../core/variants'
import type { I18n, MessageKey } from '../i18n'
import { field, Notice } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { modelBox, modelOutline } from './impactmodel'
import { setImpactSection } from './proposals'
import { store, useI18n } from './store'

/** How often a queued or running study is asked for its progress. */
const POLL_MS = 2000
/** Points listed in the non-3D table (the largest losses first). */
const LISTED = 8

export class ImpactPanel {
  readonly status = signal<ImpactStatus | undefined>(undefined)
  readonly error = signal<string | undefined>(undefined)
  readonly analysis = signal<ImpactAnalysis>('vsc')
  readonly mode = signal<ImpactMode>('after')
  readonly points = signal<ImpactPoints | undefined>(undefined)
  readonly picked = signal<ImpactPoint | undefined>(undefined)
  readonly viewpoints = signal<ImpactViewpoint[]>([])
  readonly comment = signal('')
  /** the latest study's zone of theoretical visibility (undefined: not loaded, or none) */
  readonly zone = signal<ZoneFeature[] | undefined>(undefined)
  /** the latest study was made before the zone was: it has none until it runs again */
  readonly zoneMissing = signal(false)
  /** the zone drawn on the ground in 3D (its areas are listed either way) */
  readonly zoneShown = signal(false)
  /** the saved view the camera was last sent along (the scheme is outlined meanwhile) */
  readonly lookingAlong = signal<number | undefined>(undefined)
  private proposalId?: number
  private massing?: unknown
  private model?: Proposal['model']
  private updatedAt?: string
  private shownJob?: number
  private timer?: ReturnType<typeof setTimeout>

  constructor(readonly ctx: AppContext) {}

  /** Start following `proposal` (from the view); a new proposal starts afresh. */
  follow(proposal: Proposal) {
    if (proposal.id === this.proposalId) {
      // the list's provisional copy (no massing yet) is followed by the API's full one
      if (proposal.massing !== this.massing || proposal.model?.url !== this.model?.url) {
        this.massing = proposal.massing
        this.model = proposal.model
        if (this.lookingAlong.value !== undefined) this.outline()
      }
      // the same proposal saved again (a new height, published): its study may have restarted
      if (proposal.updated_at !== this.updatedAt) {
        this.updatedAt = proposal.updated_at
        if (this.timer) clearTimeout(this.timer)
        void this.load()
      }
      return
    }
    this.stop()
    this.proposalId = proposal.id
    this.massing = proposal.massing
    this.model = proposal.model
    this.updatedAt = proposal.updated_at
    this.status.value = undefined
    this.points.value = undefined
    this.picked.value = undefined
    this.zone.value = undefined
    this.zoneMissing.value = false
    this.viewpoints.value = []
    this.shownJob = undefined
    void this.load()
    const id = proposal.id
    void impactViewpoints(this.ctx.api, id)
      .then((v) => {
        if (id !== this.proposalId) return
        this.viewpoints.value = v
        this.paintViews()
      })
      .catch(() => (this.viewpoints.value = []))
  }

  /** Stop polling and take the points, the zone and the views off the 3D view. */
  stop() {
    if (this.timer) clearTimeout(this.timer)
    this.timer = undefined
    this.proposalId = undefined
    this.ctx.map?.showImpactPoints?.(undefined)
    this.ctx.map?.showImpactZone?.(undefined)
    this.ctx.map?.showImpactViews?.(undefined)
    this.ctx.map?.outlineImpactScheme?.(undefined)
    this.lookingAlong.value = undefined
  }

  async load() {
    const id = this.proposalId
    if (id === undefined) return
    try {
      const status = await impactStatus(this.ctx.api, id)
      if (id !== this.proposalId) return
      this.status.value = status
      this.error.value = undefined
      const job = status.job
      if (job && (job.status === 'queued' || job.status === 'running')) {
        this.timer = setTimeout(() => void this.load(), POLL_MS)
      }
      if (status.result && status.result.job_id !== this.shownJob) {
        this.shownJob = status.result.job_id
        this.paintViews()
        await Promise.all([this.loadPoints(), this.loadZone()])
      }
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  async loadPoints() {
    const id = this.proposalId
    if (id === undefined || !this.status.value?.result) return
    try {
      const points = await impactPoints(this.ctx.api, id, this.analysis.value)
      if (id !== this.proposalId) return
      this.points.value = points
      this.picked.value = undefined
      this.paint()
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  async loadZone() {
    const id = this.proposalId
    if (id === undefined) return
    try {
      const zone = await impactZone(this.ctx.api, id)
      if (id !== this.proposalId) return
      this.zone.value = zone
      this.zoneMissing.value = false
    } catch (err) {
      if (id !== this.proposalId) return
      this.zone.value = undefined
      // a study stored before the zone existed: said in the section, not as a failure
      if (err instanceof ApiError && err.status === 404) this.zoneMissing.value = true
      else this.error.value = errorText(err)
    }
    this.paintZone()
  }

  setZoneShown(shown: boolean) {
    this.zoneShown.value = shown
    this.paintZone()
  }

  paintZone() {
    const zone = this.zone.value
    this.ctx.map?.showImpactZone?.(this.zoneShown.value && zone ? zonePolygons(zone) : undefined)
  }

  /** The saved views with the latest study's results (what the map and the list show). */
  views(): ViewOnMap[] {
    return viewsOnMap(this.viewpoints.value, (this.status.value?.result?.facts ?? []) as ImpactFact[])
  }

  paintViews() {
    this.ctx.map?.showImpactViews?.(this.viewpoints.value.length ? this.views() : undefined)
  }

  paint() {
    const points = this.points.value
    if (!points) return this.ctx.map?.showImpactPoints?.(undefined)
    this.ctx.map?.showImpactPoints?.(mapPoints(points.features, this.analysis.value, this.mode.value), (i) => this.pick(i))
  }

  pick(index: number) {
    this.picked.value = this.points.value?.features.find((f) => f.id === index)
    if (this.picked.value) this.ctx.announce(this.ctx.i18n.t('impact.pointShown', { index }))
  }

  setAnalysis(a: ImpactAnalysis) {
    this.analysis.value = a
    if (a !== 'vsc' && this.mode.value === 'difference') this.mode.value = 'after'
    void this.loadPoints()
  }

  setMode(m: ImpactMode) {
    this.mode.value = m
    this.paint()
  }

  async run() {
    const id = this.proposalId
    if (id === undefined) return
    try {
      await requestImpact(this.ctx.api, id)
      this.shownJob = undefined
      await this.load()
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  /** Post a comment anchored at the picked point, with the point's result attached. */
  async attach() {
    const { t } = this.ctx.i18n
    const id = this.proposalId
    const point = this.picked.value
    const body = this.comment.value.trim()
    if (id === undefined || !point || !body) return
    const [lon, lat, height] = point.geometry.coordinates
    try {
      await this.ctx.api.postComment(id, {
        body,
        sentiment: 'neutral',
        topics: ['light'],
        anchor: { point: { lon, lat, height_m: height }, impact: { analysis: this.analysis.value, index: point.id } },
      })
      this.comment.value = ''
      this.ctx.announce(t('impact.commentSent'))
    } catch (err) {
      this.error.value = errorText(err)
    }
  }

  /** The section for `proposal` (what proposals.ts renders in its Impact section). */
  render(proposal: Proposal): JSX.Element {
    return h(ImpactView, { panel: this, proposal })
  }

  /** The camera to the view's eye looking at its target, and the scheme outlined in 3D. */
  openView(v: ImpactViewpoint) {
    const [elon, elat, eh] = v.eye
    const [tlon, tlat, th] = v.target
    this.ctx.map?.flyTo(viewCamera({ lon: elon, lat: elat, height: eh }, { lon: tlon, lat: tlat, height: th }))
    this.lookingAlong.value = v.id
    this.outline()
  }

  /** The scheme outlined in 3D: its massing blocks at once, and its placed glb model's box
   * once the model has been read (still looking along the same view, the same model). */
  private outline() {
    this.ctx.map?.outlineImpactScheme?.(schemeOutline(this.massing))
    const model = this.model
    const looking = this.lookingAlong.value
    if (!model) return
    void modelBox(model.url).then((box) => {
      if (!box || this.lookingAlong.value !== looking || this.model?.url !== model.url) return
      this.ctx.map?.outlineImpactScheme?.([...schemeOutline(this.massing), modelOutline(box, model)])
    })
  }

  /** The outline off again (the camera stays where it is). */
  closeView() {
    this.ctx.map?.outlineImpactScheme?.(undefined)
    this.lookingAlong.value = undefined
  }
}

/** The proposal's massing blocks as outlines (footprint ring, base and top heights). */
export function schemeOutline(massing: unknown): SchemeOutline[] {
  return massingBlocks(massing).map((b) => ({ rings: [b.ring], base: b.base, top: b.top }))
}

export function say(i18n: I18n, s: Sentence): string {
  return s.count !== undefined ? i18n.plural(s.key, s.count, s.params) : i18n.t(s.key as MessageKey, s.params)
}

function fmt(i18n: I18n, v: number | undefined, unit: string): string {
  if (v === undefined) return '–'
  const n = new Intl.NumberFormat(i18n.tag, { maximumFractionDigits: unit === '' ? 2 : 1 }).format(v)
  return unit ? `${n} ${unit}` : n
}

function ImpactView({ panel, proposal }: { panel: ImpactPanel; proposal: Proposal }): JSX.Element {
  const i18n = useI18n(panel.ctx)
  const { t } = i18n
  useEffect(() => {
    panel.follow(proposal)
  }, [proposal.id, proposal.updated_at, proposal.massing])
  useEffect(() => () => panel.stop(), [])
  const status = panel.status.value
  const job = status?.job
  const result = status?.result
  const planner = hasRole(store.user.value, 'planner')
  const running = job && (job.status === 'queued' || job.status === 'running')
  return h(
    'div',
    { class: 'impact' },
    panel.error.value ? h(Notice, { kind: 'error', children: panel.error.value }) : null,
    !job && !result ? h('p', { class: 'muted' }, t('impact.none')) : null,
    running
      ? h(
          'div',
          { class: 'impact-progress' },
          h('label', { for: 'impact-progress' }, job.status === 'queued' ? t('impact.queued') : t('impact.running', { stage: t(`impact.stage.${job.stage ?? 'scene'}` as MessageKey), pct: job.progress })),
          h('progress', { id: 'impact-progress', max: 100, value: job.progress }),
        )
      : null,
    job?.status === 'failed' ? h(Notice, { kind: 'error', children: t('impact.failed', { reason: job.error ?? '' }) }) : null,
    result && !result.current && running ? h('p', { class: 'muted' }, t('impact.stale')) : null,
    result ? h(Summary, { i18n, facts: result.facts as ImpactFact[] }) : null,
    result ? h(MapControls, { panel, i18n }) : null,
    result ? h(PointDetails, { panel, i18n }) : null,
    result ? h(Worst, { panel, i18n }) : null,
    result ? h(Zone, { panel, i18n }) : null,
    panel.viewpoints.value.length ? h(Views, { panel, i18n }) : null,
    h(
      'p',
      { class: 'impact-links' },
      result ? h('a', { href: impactReportUrl(panel.ctx.api, proposal.id), target: '_blank', rel: 'noopener' }, t('impact.report')) : null,
      result ? ' · ' : null,
      result ? h('a', { href: impactCsvUrl(panel.ctx.api, proposal.id), download: '' }, t('impact.csv')) : null,
    ),
    planner && !running ? h('button', { type: 'button', id: 'impact-run', onClick: () => void panel.run() }, t('impact.run')) : null,
  )
}

function Summary({ i18n, facts }: { i18n: I18n; facts: ImpactFact[] }) {
  return h(
    'ul',
    { class: 'impact-summary', id: 'impact-summary' },
    factSentences(facts).map((s, i) => h('li', { key: i }, say(i18n, s))),
  )
}

function MapControls({ panel, i18n }: { panel: ImpactPanel; i18n: I18n }) {
  const { t } = i18n
  const analysis = panel.analysis.value
  const mode = panel.mode.value
  const scale = scaleFor(analysis, mode)
  const modes = IMPACT_MODES.filter((m) => m !== 'difference' || analysis !== 'visibility').filter((m) => m !== 'before' || analysis !== 'visibility')
  const ticks = legendTicks(scale)
  const gradient = `linear-gradient(to right, ${[0, 0.25, 0.5, 0.75, 1].map((f) => cssColour(colourOf(scale.min + f * (scale.max - scale.min), scale))).join(', ')})`
  return h(
    'div',
    { class: 'impact-map' },
    field(
      t('impact.analysis'),
      h(
        'select',
        { id: 'impact-analysis', value: analysis, onChange: (e: Event) => panel.setAnalysis((e.target as HTMLSelectElement).value as ImpactAnalysis) },
        IMPACT_ANALYSES.map((a) => h('option', { key: a, value: a }, t(`impact.analysis.${a}` as MessageKey))),
      ),
    ),
    field(
      t('impact.mode'),
      h(
        'select',
        { id: 'impact-mode', value: mode, onChange: (e: Event) => panel.setMode((e.target as HTMLSelectElement).value as ImpactMode) },
        modes.map((m) => h('option', { key: m, value: m }, t(`impact.mode.${m}` as MessageKey))),
      ),
    ),
    h(
      'figure',
      { class: 'impact-legend', id: 'impact-legend' },
      h('figcaption', {}, t('impact.legend')),
      h('div', { class: 'impact-ramp', style: { background: gradient, height: '0.8em' }, 'aria-hidden': 'true' }),
      h(
        'ul',
        { class: 'impact-ticks' },
        ticks.map((k) =>
          h(
            'li',
            { key: k.at, class: k.threshold ? 'threshold' : undefined },
            k.threshold
              ? mode === 'difference'
                ? t('impact.noChange')
                : t('impact.threshold', { value: fmt(i18n, k.value, scale.unit) })
              : fmt(i18n, k.value, scale.unit),
          ),
        ),
      ),
    ),
    h('p', { class: 'muted' }, t('impact.pickHint')),
  )
}

function unitOf(analysis: ImpactAnalysis): string {
  return analysis === 'ground' ? 'h' : analysis === 'visibility' ? '' : '%'
}

function PointDetails({ panel, i18n }: { panel: ImpactPanel; i18n: I18n }) {
  const { t } = i18n
  const p = panel.picked.value
  if (!p) return null
  const analysis = panel.analysis.value
  const unit = unitOf(analysis)
  const props = p.properties
  const rows: [string, string][] = []
  for (const m of IMPACT_MODES) {
    const v = pointValue(props, analysis, m)
    if (v !== undefined) rows.push([t(`impact.mode.${m}` as MessageKey), fmt(i18n, v, unit)])
  }
  if (analysis === 'apsh') {
    rows.push([t('impact.winterBefore'), fmt(i18n, Number(props.winter_before), '%')])
    rows.push([t('impact.winterAfter'), fmt(i18n, Number(props.winter_after), '%')])
  }
  if (typeof props.adverse === 'boolean') rows.push([t('impact.adverse'), props.adverse ? t('impact.yes') : t('impact.no')])
  const signedIn = !!store.user.value
  return h(
    'section',
    { class: 'impact-point', 'aria-labelledby': 'impact-point-h', id: 'impact-point' },
    h('h4', { id: 'impact-point-h' }, t('impact.point', { index: p.id })),
    props.building_id ? h('p', {}, t('impact.pointOn', { storey: Number(props.storey ?? 0) })) : null,
    h('dl', { class: 'props' }, rows.flatMap(([k, v]) => [h('dt', { key: `${k}-t` }, k), h('dd', { key: `${k}-d` }, v)])),
    signedIn
      ? h(
          'form',
          {
            onSubmit: (e: Event) => {
              e.preventDefault()
              void panel.attach()
            },
          },
          field(
            t('impact.commentLabel'),
            h('textarea', { id: 'impact-comment', rows: 2, value: panel.comment.value, onInput: (e: Event) => (panel.comment.value = (e.target as HTMLTextAreaElement).value) }),
          ),
          h('button', { type: 'submit', disabled: !panel.comment.value.trim() }, t('impact.comment')),
        )
      : null,
  )
}

function Worst({ panel, i18n }: { panel: ImpactPanel; i18n: I18n }) {
  const { t } = i18n
  const analysis = panel.analysis.value
  const feats = panel.points.value?.features ?? []
  const key = (f: ImpactPoint) => pointValue(f.properties, analysis, analysis === 'visibility' ? 'after' : 'difference') ?? 0
  const listed = [...feats].sort((a, b) => (analysis === 'visibility' ? key(b) - key(a) : key(a) - key(b))).slice(0, LISTED)
  if (!listed.length) return null
  const unit = unitOf(analysis)
  return h(
    'section',
    { 'aria-labelledby': 'impact-worst-h' },
    h('h4', { id: 'impact-worst-h' }, analysis === 'visibility' ? t('impact.mostSeen') : t('impact.worst')),
    h(
      'ul',
      { class: 'impact-worst' },
      listed.map((f) =>
        h(
          'li',
          { key: f.id },
          h(
            'button',
            { type: 'button', class: 'link', onClick: () => panel.pick(f.id), 'aria-pressed': panel.picked.value?.id === f.id },
            t('impact.point', { index: f.id }),
          ),
          ` ${fmt(i18n, key(f), unit)}`,
        ),
      ),
    ),
  )
}

function Zone({ panel, i18n }: { panel: ImpactPanel; i18n: I18n }) {
  const { t } = i18n
  const zone = panel.zone.value
  if (panel.zoneMissing.value) {
    return h('section', { 'aria-labelledby': 'impact-zone-h' }, h('h4', { id: 'impact-zone-h' }, t('impact.zone')), h('p', { class: 'muted' }, t('impact.zone.missing')))
  }
  if (!zone) return null
  const rows = zoneRows(zone)
  const area = new Intl.NumberFormat(i18n.tag, { maximumFractionDigits: 0 })
  const pct = new Intl.NumberFormat(i18n.tag, { maximumFractionDigits: 1 })
  const bandName = (band: number) => (band === 0 ? t('impact.zone.any') : t('impact.zone.above', { pct: pct.format(100 * band) }))
  return h(
    'section',
    { 'aria-labelledby': 'impact-zone-h', id: 'impact-zone' },
    h('h4', { id: 'impact-zone-h' }, t('impact.zone')),
    h(
      'div',
      { class: 'check' },
      h('input', {
        type: 'checkbox',
        id: 'impact-zone-show',
        checked: panel.zoneShown.value,
        disabled: !panel.ctx.map,
        onChange: (e: Event) => panel.setZoneShown((e.target as HTMLInputElement).checked),
      }),
      h('label', { for: 'impact-zone-show' }, t('impact.zone.show')),
    ),
    // the legend and the text equivalent in one: each band's colour, area and share
    h(
      'table',
      { class: 'impact-zone-table' },
      h('caption', {}, t('impact.zone.caption')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('impact.zone.band')), h('th', { scope: 'col' }, t('impact.zone.area')), h('th', { scope: 'col' }, t('impact.zone.share')))),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { key: r.band },
            h(
              'th',
              { scope: 'row' },
              h('span', { class: 'swatch', 'aria-hidden': 'true', style: { background: cssColour(r.colour), display: 'inline-block', width: '0.9em', height: '0.9em', marginInlineEnd: '0.4em' } }),
              bandName(r.band),
            ),
            h('td', {}, `${area.format(r.areaM2)} m²`),
            h('td', {}, `${pct.format(r.sharePct)} %`),
          ),
        ),
      ),
    ),
    h('p', { class: 'hint' }, t('impact.zone.hint')),
  )
}

function Views({ panel, i18n }: { panel: ImpactPanel; i18n: I18n }) {
  const { t } = i18n
  const pct = new Intl.NumberFormat(i18n.tag, { maximumFractionDigits: 1 })
  const results = panel.views()
  return h(
    'section',
    { 'aria-labelledby': 'impact-views-h', id: 'impact-views' },
    h('h4', { id: 'impact-views-h' }, t('impact.views')),
    h(
      'ul',
      {},
      panel.viewpoints.value.map((v, i) => {
        const r = results[i]?.result
        return h(
          'li',
          { key: v.id },
          h(
            'button',
            { type: 'button', class: 'link', 'aria-pressed': panel.lookingAlong.value === v.id ? 'true' : 'false', onClick: () => panel.openView(v) },
            t('impact.lookAlong', { name: v.name }),
          ),
          panel.lookingAlong.value === v.id
            ? h(
                'p',
                { class: 'impact-view-outlined', role: 'status' },
                t('impact.view.outlined'),
                ' ',
                h('button', { type: 'button', class: 'link', onClick: () => panel.closeView() }, t('impact.view.outlineOff')),
              )
            : null,
          h(
            'p',
            { class: 'impact-view-result' },
            r
              ? t(r.aboveLandmark ? 'impact.view.above' : 'impact.view.below', { pct: pct.format(r.schemePct) })
              : t('impact.view.notStudied'),
          ),
        )
      }),
    ),
    h('p', { class: 'hint' }, t('impact.views.hint')),
  )
}

/** Put the Impact section on every proposal's page (called once by the app). */
export function installImpact(ctx: AppContext): ImpactPanel {
  const panel = new ImpactPanel(ctx)
  setImpactSection((proposal) => panel.render(proposal))
  return panel
}
