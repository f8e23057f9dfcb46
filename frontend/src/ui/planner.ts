/**
 * Proposal editor: draw the site and massing blocks on the map (or type/upload them), set
 * heights or storeys and dates; save, publish, change stage; upload documents and a glb model
 * with its placement; add opportunities with a CPV picker.
 *
 * A Preact panel (README.md): the editor's state is a signal fed by its history, read by the
 * drawing, blocks and save parts only; typed text is in signals bound to the fields (a keystroke
 * renders nothing, or, for the title and reference, the save buttons that depend on them).
 */
import { signal, type Signal } from '@preact/signals'
import { h, type JSX } from 'preact'
import { useEffect } from 'preact/hooks'
import type { Decision, Id, Opportunity, Proposal, ProposalCreate, SocialValue, Stage } from '../api'
import { STAGES } from '../api'
import { EditorHistory, fromProposalGeometry, heightNote, toProposalGeometry, validate, type EditorProblem, type EditorState } from '../core/editor'
import { outerRings, ringCentre, type LonLat } from '../core/geo'
import { formatNumber } from '../i18n/format'
import { bound } from './account'
import { field } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { CpvPicker } from './cpv'
import { SOCIAL } from './opportunities'
import { AwardsSection } from './awards'
import { store, useI18n } from './store'

export function parseCoordinateLines(text: string): LonLat[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/[\s,;]+/).map(Number))
    .filter((n) => n.length >= 2 && Number.isFinite(n[0]) && Number.isFinite(n[1]))
    .map(([lon, lat]) => ({ lon, lat }))
}

/** Site and blocks from an uploaded GeoJSON: `properties.role` = "site" marks the boundary, else the first feature is. */
export function editorStateFromGeoJson(doc: unknown, base: EditorState): EditorState {
  const d = doc as { type?: string; features?: { geometry?: { type: string; coordinates: unknown }; properties?: Record<string, unknown> }[] }
  const features = d?.type === 'FeatureCollection' ? (d.features ?? []) : []
  const state = structuredClone(base)
  const hasRoles = features.some((f) => f.properties?.role === 'site')
  features.forEach((f, i) => {
    const g = f.geometry
    const rings = g && (g.type === 'Polygon' || g.type === 'MultiPolygon') ? outerRings(g as Parameters<typeof outerRings>[0]) : []
    const isSite = hasRoles ? f.properties?.role === 'site' : i === 0
    for (const ring of rings) {
      if (isSite) state.site = ring
      else {
        const storeys = Number(f.properties?.storeys) || undefined
        state.blocks.push({
          footprint: ring,
          height_m: Number(f.properties?.height_m) || (storeys ? storeys * 3 : 12),
          heightGiven: Number(f.properties?.height_m) > 0,
          base_height_m: Number(f.properties?.base_height_m) || 0,
          storeys,
        })
      }
    }
  })
  return state
}

const META = ['title', 'reference', 'description', 'site_address', 'dwellings', 'consultation_start', 'consultation_end'] as const
type MetaKey = (typeof META)[number]
const MODEL = ['lon', 'lat', 'height_m', 'heading_deg', 'scale'] as const
type ModelKey = (typeof MODEL)[number]
const OPP_TEXT = ['title', 'description', 'value_min', 'value_max', 'tender_end'] as const
type OppKey = (typeof OPP_TEXT)[number]

const signals = <K extends string>(keys: readonly K[]) => Object.fromEntries(keys.map((k) => [k, signal('')])) as Record<K, Signal<string>>
const assign = <K extends string>(target: Record<K, Signal<string>>, values: Record<K, string>) => {
  for (const k of Object.keys(values) as K[]) target[k].value = values[k]
}
const emptyModel = { lon: '', lat: '', height_m: '0', heading_deg: '0', scale: '1' }

export class PlannerPanel {
  readonly history = new EditorHistory()
  /** the editor's state (the history's present), for the parts that draw it */
  readonly editor = signal<EditorState>(this.history.state)
  readonly drawing = signal(false)
  readonly saving = signal(false)
  /** the proposal being edited, once saved */
  readonly saved = signal<Proposal | undefined>(undefined)
  readonly meta = signals(META)
  readonly stage = signal<Stage>('assessment')
  readonly decision = signal<Decision | ''>('')
  readonly stageReason = signal('')
  readonly model = signals(MODEL)
  readonly opp = signals(OPP_TEXT)
  readonly oppSme = signal(true)
  readonly oppSocial = signal<ReadonlySet<SocialValue>>(new Set())
  readonly oppCpv: CpvPicker
  /** the saved proposal's work packages, for their interest lists */
  readonly exportsOf = signal<{ proposalId: Id; opportunities: Opportunity[] } | undefined>(undefined)

  constructor(readonly ctx: AppContext) {
    this.oppCpv = new CpvPicker(ctx, 'planner-opp')
    assign(this.model, emptyModel)
    this.history.subscribe((s) => {
      this.ctx.map?.showDraft(s)
      this.editor.value = s
    })
  }

  /** Leave drawing mode when the tab is hidden. */
  deactivate() {
    this.drawing.value = false
    this.ctx.map?.setDrawing(undefined)
  }

  problemText(p: EditorProblem): string {
    const { t } = this.ctx.i18n
    return 'index' in p ? t(`planner.problem.${p.code}`, { n: p.index + 1 }) : t(`planner.problem.${p.code}`)
  }

  /** Load a saved proposal into the editor. */
  edit(p: Proposal) {
    this.saved.value = p
    assign(this.meta, {
      title: p.title,
      reference: p.reference,
      description: p.description,
      site_address: p.site_address,
      dwellings: p.dwellings != null ? String(p.dwellings) : '',
      consultation_start: p.consultation_start ?? '',
      consultation_end: p.consultation_end ?? '',
    })
    this.history.apply({ type: 'load', state: fromProposalGeometry(p.site_boundary as never, p.massing) })
    assign(this.model, emptyModel)
  }

  startNew() {
    this.saved.value = undefined
    for (const k of META) this.meta[k].value = ''
    this.deactivate()
    this.history.apply({ type: 'clear' })
  }

  toggleDrawing() {
    this.drawing.value = !this.drawing.value
    this.ctx.map?.setDrawing(this.drawing.value ? (p) => this.history.apply({ type: 'addVertex', at: p }) : undefined)
  }

  applyCoordinates(text: string) {
    const points = parseCoordinateLines(text)
    const s = this.history.state
    const ring = s.target.kind === 'site' ? s.site : (s.blocks[s.target.index]?.footprint ?? [])
    const next = structuredClone(s)
    if (next.target.kind === 'site') next.site = points
    else next.blocks[next.target.index].footprint = points
    if (JSON.stringify(ring) !== JSON.stringify(points)) this.history.apply({ type: 'load', state: next })
  }

  async loadGeoJson(file: File | undefined) {
    if (!file) return
    try {
      this.history.apply({ type: 'load', state: editorStateFromGeoJson(JSON.parse(await file.text()), this.history.state) })
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  async loadExports(p: Proposal) {
    // mark it loading: renders meanwhile must not fetch again
    const now = this.exportsOf.peek()
    this.exportsOf.value = { proposalId: p.id, opportunities: now?.proposalId === p.id ? now.opportunities : [] }
    try {
      const page = await this.ctx.api.opportunities({ proposal_id: p.id, limit: 100 })
      this.exportsOf.value = { proposalId: p.id, opportunities: page.items }
    } catch {
      this.exportsOf.value = { proposalId: p.id, opportunities: [] }
    }
  }

  async save(publish: boolean) {
    const { t } = this.ctx.i18n
    const geometry = toProposalGeometry(this.history.state)
    const m = this.meta
    const body: ProposalCreate = {
      reference: m.reference.value.trim(),
      title: m.title.value.trim(),
      description: m.description.value,
      site_address: m.site_address.value || null,
      dwellings: m.dwellings.value ? Number(m.dwellings.value) : null,
      consultation_start: m.consultation_start.value || null,
      consultation_end: m.consultation_end.value || null,
      site_boundary: geometry.site_boundary,
    }
    this.saving.value = true
    // the proposal as the server has it after each step; shown (heading, stage) once all are
    // done, so the page never says "editing" a scheme that is still being published
    let p: Proposal | undefined
    try {
      const { reference: _ref, ...update } = body
      const before = this.saved.value
      p = before ? await this.ctx.api.updateProposal(before.id, update) : await this.ctx.api.createProposal(body)
      p = await this.ctx.api.setMassing(p.id, geometry.massing)
      if (publish) p = await this.ctx.api.publish(p.id)
      this.saved.value = p
      this.ctx.announce(publish ? t('planner.published') : t('planner.saved'))
      if (publish) {
        this.deactivate()
        this.ctx.map?.showDraft(undefined)
        // show the published scheme in place (massing tileset, replaced buildings hidden)
        await this.ctx.openProposal(p.id, { keepView: true })
      } else void this.loadExports(p)
      // a draft stays in the editor: the planner goes on where they were
    } catch (err) {
      // a step after the first failed: the next save updates the proposal made, never a second one
      if (p) this.saved.value = p
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    } finally {
      this.saving.value = false
    }
  }

  async run(action: () => Promise<unknown>, ok: string) {
    try {
      await action()
      this.ctx.announce(ok)
      const saved = this.saved.value
      if (saved) {
        this.saved.value = await this.ctx.api.proposal(saved.id)
        await this.ctx.openProposal(saved.id, { keepView: true })
      }
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  placement() {
    const m = this.model
    return {
      lon: Number(m.lon.value),
      lat: Number(m.lat.value),
      height_m: Number(m.height_m.value) || 0,
      heading_deg: Number(m.heading_deg.value) || 0,
      scale: Number(m.scale.value) || 1,
    }
  }

  addOpportunity(p: Proposal) {
    const { t } = this.ctx.i18n
    const o = this.opp
    if (!o.title.value.trim() || !this.oppCpv.codes.length) {
      this.ctx.announce(t('planner.oppNeeds'))
      return
    }
    const centre = ringCentre(this.history.state.site)
    void this.run(async () => {
      await this.ctx.api.createOpportunity({
        proposal_id: p.id,
        title: o.title.value.trim(),
        description: o.description.value,
        cpv_codes: this.oppCpv.codes,
        value_min: o.value_min.value ? Number(o.value_min.value) : null,
        value_max: o.value_max.value ? Number(o.value_max.value) : null,
        currency: 'GBP',
        sme_suitable: this.oppSme.value,
        tender_end: o.tender_end.value || null,
        status: 'planned',
        social_value: [...this.oppSocial.value],
        delivery_location: centre ? { type: 'Point', coordinates: [centre.lon, centre.lat] } : null,
      })
      for (const k of OPP_TEXT) o[k].value = ''
      this.oppSme.value = true
      this.oppSocial.value = new Set()
      this.exportsOf.value = undefined // the new work package gets its interest list
      this.oppCpv.set([])
    }, t('planner.oppAdded'))
  }

  render(): JSX.Element {
    return h(PlannerView, { panel: this })
  }
}

const onSubmit = (run: () => void) => (e: Event) => {
  e.preventDefault()
  run()
}

export function PlannerView({ panel }: { panel: PlannerPanel }) {
  const { t } = useI18n(panel.ctx)
  if (!hasRole(store.user.value, 'planner')) return h('section', {}, h('h2', {}, t('planner.heading')), h('p', {}, t('planner.notAllowed')))
  const saved = panel.saved.value
  const selected = store.selection.value.proposal
  const m = panel.meta
  const metaInput = (key: MetaKey, label: string, type = 'text', required = false) =>
    field(label, h('input', { type, name: key, id: `planner-${key}`, required, ...bound(m[key]) }))
  return h(
    'section',
    { 'aria-labelledby': 'planner-h' },
    h('h2', { id: 'planner-h' }, saved ? t('planner.editing', { title: saved.title }) : t('planner.heading')),
    h(
      'div',
      { class: 'actions' },
      saved ? h('button', { type: 'button', onClick: () => panel.startNew() }, t('planner.new')) : null,
      selected && selected.id !== saved?.id ? h('button', { type: 'button', onClick: () => panel.edit(selected) }, t('planner.editSelected', { title: selected.title })) : null,
    ),
    metaInput('title', t('planner.title'), 'text', true),
    metaInput('reference', t('planner.reference'), 'text', true),
    field(t('planner.description'), h('textarea', { name: 'description', id: 'planner-description', rows: 3, ...bound(m.description) })),
    metaInput('site_address', t('planner.address')),
    h('div', { class: 'row' }, metaInput('consultation_start', t('planner.consultationStart'), 'date'), metaInput('consultation_end', t('planner.consultationEnd'), 'date')),
    metaInput('dwellings', t('planner.dwellings'), 'number'),
    h(DrawFieldset, { panel }),
    h(Blocks, { panel }),
    h(SaveActions, { panel }),
    saved
      ? [
          h(StageForm, { key: 'stage', panel, p: saved }),
          h(Uploads, { key: 'uploads', panel, p: saved }),
          h(OpportunityForm, { key: 'opp', panel, p: saved }),
          h(Exports, { key: 'exports', panel, p: saved }),
          h(PlannerAwards, { key: 'awards', panel, p: saved }),
        ]
      : null,
  )
}

function targetOf(s: EditorState) {
  return s.target.kind === 'site' ? s.site : (s.blocks[s.target.index]?.footprint ?? [])
}

function DrawFieldset({ panel }: { panel: PlannerPanel }) {
  const { t, plural } = useI18n(panel.ctx)
  const s = panel.editor.value
  const targetName = s.target.kind === 'site' ? t('planner.site') : t('planner.block', { n: s.target.index + 1 })
  const ring = targetOf(s)
  const drawing = panel.drawing.value
  const history = panel.history
  return h(
    'fieldset',
    { class: 'draw' },
    h('legend', {}, t('planner.drawing', { target: targetName })),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', id: 'planner-draw-site', 'aria-pressed': s.target.kind === 'site' ? 'true' : 'false', onClick: () => history.apply({ type: 'drawSite' }) }, t('planner.drawSite')),
      h('button', { type: 'button', id: 'planner-add-block', onClick: () => history.apply({ type: 'addBlock' }) }, t('planner.addBlock')),
      h('button', { type: 'button', id: 'planner-draw', 'aria-pressed': drawing ? 'true' : 'false', disabled: !store.mapReady.value, onClick: () => panel.toggleDrawing() }, drawing ? t('planner.stopDrawing') : t('planner.draw')),
      h('button', { type: 'button', id: 'planner-undo', disabled: !history.canUndo, onClick: () => history.undo() }, t('planner.undo')),
      h('button', { type: 'button', id: 'planner-redo', disabled: !history.canRedo, onClick: () => history.redo() }, t('planner.redo')),
    ),
    h('p', { role: 'status', class: 'vertex-count' }, `${targetName}: ${plural('planner.vertices', ring.length)}`),
    // the ring as text: shown from the editor, read when applied
    field(t('planner.coordinates'), h('textarea', { rows: 4, name: 'coordinates', id: 'planner-coordinates', value: ring.map((p) => `${p.lon.toFixed(6)}, ${p.lat.toFixed(6)}`).join('\n') })),
    h(
      'button',
      { type: 'button', id: 'planner-apply-coordinates', onClick: () => panel.applyCoordinates((document.getElementById('planner-coordinates') as HTMLTextAreaElement).value) },
      t('planner.applyCoordinates'),
    ),
    field(
      t('planner.geojson'),
      h('input', { type: 'file', id: 'planner-geojson', accept: '.geojson,.json,application/geo+json', onChange: (e: Event) => void panel.loadGeoJson((e.currentTarget as HTMLInputElement).files?.[0]) }),
    ),
  )
}

function Blocks({ panel }: { panel: PlannerPanel }) {
  const { t, plural, tag } = useI18n(panel.ctx)
  const s = panel.editor.value
  if (!s.blocks.length) return null
  const apply = panel.history.apply.bind(panel.history)
  const m = (v: number) => t('unit.metres', { value: formatNumber(v, tag) })
  return h(
    'ol',
    { class: 'blocks' },
    s.blocks.map((b, i) => {
      const num = (key: string, label: string, value: number | undefined, on: (v: number) => void, step = '0.5') =>
        field(label, h('input', { type: 'number', id: `block-${i}-${key}`, min: 0, step, value: value ?? '', onChange: (e: Event) => on(Number((e.currentTarget as HTMLInputElement).value)) }))
      const note = heightNote(b)
      return h(
        'li',
        { key: i },
        h(
          'fieldset',
          {},
          h('legend', {}, `${t('planner.block', { n: i + 1 })} · ${plural('planner.vertices', b.footprint.length)}`),
          h(
            'div',
            { class: 'row' },
            num('height', t('planner.height'), b.height_m, (v) => apply({ type: 'setHeight', index: i, height_m: v })),
            num('storeys', t('planner.storeys'), b.storeys, (v) => apply({ type: 'setStoreys', index: i, storeys: v }), '1'),
            num('base', t('planner.base'), b.base_height_m, (v) => apply({ type: 'setBase', index: i, base_height_m: v })),
          ),
          note.kind === 'none'
            ? null
            : h(
                'p',
                { class: 'hint height-note', id: `block-${i}-height-note` },
                note.kind === 'fromStoreys'
                  ? t('planner.heightFromStoreys', { storeys: note.storeys, storey: m(note.storeyHeight_m), height: m(note.height_m) })
                  : t('planner.heightPerStorey', { height: m(note.height_m), storeys: note.storeys, storey: m(note.storeyHeight_m) }),
              ),
          h(
            'div',
            { class: 'actions' },
            h('button', { type: 'button', onClick: () => apply({ type: 'selectBlock', index: i }) }, t('planner.drawBlock', { n: i + 1 })),
            h('button', { type: 'button', onClick: () => apply({ type: 'deleteBlock', index: i }) }, t('planner.deleteBlockN', { n: i + 1 })),
          ),
        ),
      )
    }),
  )
}

/** The problems, and Save / Publish (blocked while there are problems or no title/reference). */
function SaveActions({ panel }: { panel: PlannerPanel }) {
  const { t } = useI18n(panel.ctx)
  const problems = validate(panel.editor.value)
  const saved = panel.saved.value
  const blocked = problems.length > 0 || panel.saving.value || !panel.meta.title.value.trim() || !panel.meta.reference.value.trim()
  return h(
    'div',
    {},
    problems.length ? h('ul', { class: 'problems', 'aria-label': t('planner.problems') }, problems.map((p, i) => h('li', { key: i }, panel.problemText(p)))) : null,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', id: 'planner-save', disabled: blocked, onClick: () => void panel.save(false) }, t('planner.saveDraft')),
      !saved || saved.stage === 'draft'
        ? h('button', { type: 'button', class: 'primary', id: 'planner-publish', disabled: blocked, onClick: () => void panel.save(true) }, t('planner.publish'))
        : null,
    ),
  )
}

function StageForm({ panel, p }: { panel: PlannerPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const later = STAGES.slice(STAGES.indexOf(p.stage) + 1)
  if (!later.length) return h('p', {}, t('planner.currentStage', { stage: t(`stage.${p.stage}`) }))
  const stage = later.includes(panel.stage.value) ? panel.stage.value : later[0]
  const decision = panel.decision.value
  return h(
    'form',
    { 'aria-labelledby': 'stage-h', onSubmit: onSubmit(() => void panel.run(() => panel.ctx.api.changeStage(p.id, stage, decision || undefined, panel.stageReason.value), t('planner.stageChanged'))) },
    h('h3', { id: 'stage-h' }, t('planner.changeStage')),
    h('p', {}, t('planner.currentStage', { stage: t(`stage.${p.stage}`) })),
    h(
      'div',
      { class: 'row' },
      field(
        t('proposals.stage'),
        h(
          'select',
          { id: 'planner-stage', value: stage, onChange: (e: Event) => (panel.stage.value = (e.currentTarget as HTMLSelectElement).value as Stage) },
          later.map((s) => h('option', { key: s, value: s }, t(`stage.${s}`))),
        ),
      ),
      stage === 'decided'
        ? field(
            t('planner.decision'),
            h(
              'select',
              { id: 'planner-decision', value: decision, onChange: (e: Event) => (panel.decision.value = (e.currentTarget as HTMLSelectElement).value as Decision) },
              h('option', { value: '' }, t('app.none')),
              (['approved', 'refused', 'withdrawn'] as const).map((d) => h('option', { key: d, value: d }, t(`decision.${d}`))),
            ),
          )
        : null,
    ),
    field(t('mod.reason'), h('input', { type: 'text', id: 'planner-stage-reason', ...bound(panel.stageReason) })),
    h('button', { type: 'submit' }, t('planner.changeStage')),
  )
}

function Uploads({ panel, p }: { panel: PlannerPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const m = panel.model
  // the placement starts at the model's own, else at the site's centre
  useEffect(() => {
    if (m.lon.peek()) return
    const centre = ringCentre(panel.history.state.site)
    if (p.model) assign(m, { lon: String(p.model.lon), lat: String(p.model.lat), height_m: String(p.model.height_m ?? 0), heading_deg: String(p.model.heading_deg ?? 0), scale: String(p.model.scale ?? 1) })
    else if (centre) assign(m, { ...emptyModel, lon: centre.lon.toFixed(6), lat: centre.lat.toFixed(6) })
  }, [p.id, p.model])
  const file = (id: string) => (document.getElementById(id) as HTMLInputElement | null)?.files?.[0]
  const num = (key: ModelKey, label: string, step = 'any') => field(label, h('input', { type: 'number', step, id: `planner-model-${key}`, ...bound(m[key]) }))
  return h(
    'div',
    {},
    h(
      'form',
      {
        'aria-labelledby': 'docs-h',
        onSubmit: onSubmit(() => {
          const f = file('planner-doc')
          const title = (document.getElementById('planner-doc-title') as HTMLInputElement).value
          if (f) void panel.run(() => panel.ctx.api.uploadDocument(p.id, f, title || f.name), t('planner.documentAdded'))
        }),
      },
      h('h3', { id: 'docs-h' }, t('planner.documents')),
      p.documents.length ? h('ul', {}, p.documents.map((d) => h('li', { key: d.url }, d.title || d.filename))) : null,
      field(t('planner.documentTitle'), h('input', { type: 'text', name: 'document-title', id: 'planner-doc-title' })),
      field(t('planner.documentFile'), h('input', { type: 'file', name: 'document', id: 'planner-doc', accept: '.pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/*' })),
      h('button', { type: 'submit' }, t('planner.upload')),
    ),
    h(
      'form',
      {
        'aria-labelledby': 'model-h',
        onSubmit: onSubmit(() => {
          const f = file('planner-model')
          if (f) void panel.run(() => panel.ctx.api.uploadModel(p.id, f, panel.placement()), t('planner.modelSaved'))
          else if (p.model) void panel.run(() => panel.ctx.api.placeModel(p.id, panel.placement()), t('planner.modelSaved'))
        }),
      },
      h('h3', { id: 'model-h' }, t('planner.model')),
      field(t('planner.modelFile'), h('input', { type: 'file', name: 'model', id: 'planner-model', accept: '.glb,model/gltf-binary' })),
      h(
        'fieldset',
        {},
        h('legend', {}, t('planner.modelPlacement')),
        h('div', { class: 'row' }, num('lon', t('planner.longitude')), num('lat', t('planner.latitude'))),
        h('div', { class: 'row' }, num('height_m', t('planner.modelHeight'), '0.1'), num('heading_deg', t('planner.heading_deg'), '1'), num('scale', t('planner.scale'), '0.01')),
      ),
      h('button', { type: 'submit' }, p.model ? t('planner.modelUpdate') : t('planner.upload')),
    ),
  )
}

function OpportunityForm({ panel, p }: { panel: PlannerPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const o = panel.opp
  const social = panel.oppSocial.value
  const text = (key: Exclude<OppKey, 'description'>, label: string, type = 'text') =>
    field(label, h('input', { type, id: `opp-new-${key}`, min: type === 'number' ? 0 : undefined, ...bound(o[key]) }))
  return h(
    'form',
    { 'aria-labelledby': 'opp-add-h', onSubmit: onSubmit(() => panel.addOpportunity(p)) },
    h('h3', { id: 'opp-add-h' }, t('planner.opportunity')),
    text('title', t('planner.oppTitle')),
    field(t('planner.description'), h('textarea', { id: 'opp-new-description', rows: 2, ...bound(o.description) })),
    panel.oppCpv.view(t('opps.cpv')),
    h('div', { class: 'row' }, text('value_min', t('opps.valueMin'), 'number'), text('value_max', t('opps.valueMax'), 'number')),
    text('tender_end', t('planner.tenderEnd'), 'date'),
    h(
      'div',
      { class: 'check' },
      h('input', { type: 'checkbox', id: 'opp-new-sme', checked: panel.oppSme, onChange: (e: Event) => (panel.oppSme.value = (e.currentTarget as HTMLInputElement).checked) }),
      h('label', { for: 'opp-new-sme' }, t('opps.sme')),
    ),
    h(
      'fieldset',
      { class: 'checks' },
      h('legend', {}, t('opps.socialValue')),
      (Object.keys(SOCIAL) as SocialValue[]).map((v) =>
        h(
          'span',
          { key: v },
          h('input', {
            type: 'checkbox',
            id: `opp-social-${v}`,
            checked: social.has(v),
            onChange: (e: Event) => {
              const next = new Set(panel.oppSocial.value)
              if ((e.currentTarget as HTMLInputElement).checked) next.add(v)
              else next.delete(v)
              panel.oppSocial.value = next
            },
          }),
          h('label', { for: `opp-social-${v}` }, t(`social.${v}`)),
        ),
      ),
    ),
    h('button', { type: 'submit' }, t('planner.oppSave')),
  )
}

/** Record the awards of the saved proposal's work packages, beside its supply-chain KPIs. */
function PlannerAwards({ panel, p }: { panel: PlannerPanel; p: Proposal }) {
  const got = panel.exportsOf.value
  return h(AwardsSection, { ctx: panel.ctx, proposalId: p.id, opportunities: got?.proposalId === p.id ? got.opportunities : [] })
}

/** CSV downloads: the comments (anonymised open data) and each work package's interest list. */
function Exports({ panel, p }: { panel: PlannerPanel; p: Proposal }) {
  const { t } = useI18n(panel.ctx)
  const got = panel.exportsOf.value
  useEffect(() => {
    if (panel.exportsOf.peek()?.proposalId !== p.id) void panel.loadExports(p)
  }, [p.id, got === undefined])
  const opps = got?.proposalId === p.id ? got.opportunities : []
  return h(
    'section',
    { 'aria-labelledby': 'planner-exports-h', class: 'exports' },
    h('h3', { id: 'planner-exports-h' }, t('planner.exports')),
    h(
      'ul',
      {},
      h('li', {}, h('a', { href: 'api/v1/opendata/comments.csv', download: '' }, t('planner.exportComments'))),
      opps.map((o) => h('li', { key: o.id }, h('a', { href: `api/v1/opportunities/${encodeURIComponent(o.id)}/interests.csv`, download: '' }, t('planner.exportInterest', { title: o.title })))),
    ),
    opps.length ? null : h('p', { class: 'muted' }, t('planner.noInterestLists')),
  )
}
