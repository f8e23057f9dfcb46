/**
 * Proposal editor: draw the site and massing blocks on the map (or type/upload them), set
 * heights or storeys and dates; save, publish, change stage; upload documents and a glb model
 * with its placement; add opportunities with a CPV picker.
 */
import type { Decision, Id, Opportunity, Proposal, ProposalCreate, SocialValue, Stage } from '../api'
import { STAGES } from '../api'
import { EditorHistory, fromProposalGeometry, heightNote, toProposalGeometry, validate, type EditorProblem, type EditorState } from '../core/editor'
import { outerRings, ringCentre, type LonLat } from '../core/geo'
import { errorText, hasRole, type AppContext } from './context'
import { CpvPicker } from './cpv'
import { field, h } from './dom'
import { formatNumber } from '../i18n/format'
import { SOCIAL } from './opportunities'

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

const emptyMeta = () => ({
  title: '',
  reference: '',
  description: '',
  site_address: '',
  dwellings: '',
  consultation_start: '',
  consultation_end: '',
})

export class PlannerPanel {
  readonly history = new EditorHistory()
  private drawing = false
  private saving = false
  private saved?: Proposal
  private meta = emptyMeta()
  private stage: { stage: Stage; decision: Decision | ''; reason: string } = { stage: 'assessment', decision: '', reason: '' }
  private model = { lon: '', lat: '', height_m: '0', heading_deg: '0', scale: '1' }
  private opp = { title: '', description: '', value_min: '', value_max: '', tender_end: '', sme: true, social: new Set<SocialValue>() }
  private readonly oppCpv: CpvPicker

  constructor(private readonly ctx: AppContext) {
    this.oppCpv = new CpvPicker(ctx, 'planner-opp')
    this.history.subscribe((s) => {
      this.ctx.map?.showDraft(s)
      this.ctx.refresh()
    })
  }

  /** Leave drawing mode when the tab is hidden. */
  deactivate() {
    this.drawing = false
    this.ctx.map?.setDrawing(undefined)
  }

  private problemText(p: EditorProblem): string {
    const { t } = this.ctx.i18n
    return 'index' in p ? t(`planner.problem.${p.code}`, { n: p.index + 1 }) : t(`planner.problem.${p.code}`)
  }

  /** Load a saved proposal into the editor. */
  edit(p: Proposal) {
    this.saved = p
    this.meta = {
      title: p.title,
      reference: p.reference,
      description: p.description,
      site_address: p.site_address,
      dwellings: p.dwellings != null ? String(p.dwellings) : '',
      consultation_start: p.consultation_start ?? '',
      consultation_end: p.consultation_end ?? '',
    }
    this.history.apply({ type: 'load', state: fromProposalGeometry(p.site_boundary as never, p.massing) })
    this.model = { lon: '', lat: '', height_m: '0', heading_deg: '0', scale: '1' }
    this.ctx.refresh()
  }

  private startNew() {
    this.saved = undefined
    this.meta = emptyMeta()
    this.deactivate()
    this.history.apply({ type: 'clear' })
    this.ctx.refresh()
  }

  render(): HTMLElement {
    const { t, plural } = this.ctx.i18n
    if (!hasRole(this.ctx.user, 'planner')) return h('section', {}, h('h2', {}, t('planner.heading')), h('p', {}, t('planner.notAllowed')))
    const s = this.history.state
    const targetName = s.target.kind === 'site' ? t('planner.site') : t('planner.block', { n: s.target.index + 1 })
    const ring = s.target.kind === 'site' ? s.site : (s.blocks[s.target.index]?.footprint ?? [])
    const metaInput = (key: keyof typeof this.meta, label: string, type = 'text', required = false) =>
      field(
        label,
        h('input', { type, name: key, id: `planner-${key}`, required, value: this.meta[key], oninput: (e: Event) => (this.meta[key] = (e.target as HTMLInputElement).value) }),
      )
    const coords = h('textarea', { rows: '4', name: 'coordinates', id: 'planner-coordinates' }, ring.map((p) => `${p.lon.toFixed(6)}, ${p.lat.toFixed(6)}`).join('\n'))
    const problems = validate(s)
    const selected = this.ctx.selection.proposal
    const blocked = problems.length > 0 || this.saving || !this.meta.title.trim() || !this.meta.reference.trim()
    return h(
      'section',
      { 'aria-labelledby': 'planner-h' },
      h('h2', { id: 'planner-h' }, this.saved ? t('planner.editing', { title: this.saved.title }) : t('planner.heading')),
      h(
        'div',
        { class: 'actions' },
        this.saved ? h('button', { type: 'button', onclick: () => this.startNew() }, t('planner.new')) : null,
        selected && selected.id !== this.saved?.id ? h('button', { type: 'button', onclick: () => this.edit(selected) }, t('planner.editSelected', { title: selected.title })) : null,
      ),
      metaInput('title', t('planner.title'), 'text', true),
      metaInput('reference', t('planner.reference'), 'text', true),
      field(
        t('planner.description'),
        h('textarea', { name: 'description', id: 'planner-description', rows: '3', oninput: (e: Event) => (this.meta.description = (e.target as HTMLTextAreaElement).value) }, this.meta.description),
      ),
      metaInput('site_address', t('planner.address')),
      h('div', { class: 'row' }, metaInput('consultation_start', t('planner.consultationStart'), 'date'), metaInput('consultation_end', t('planner.consultationEnd'), 'date')),
      metaInput('dwellings', t('planner.dwellings'), 'number'),
      h(
        'fieldset',
        { class: 'draw' },
        h('legend', {}, t('planner.drawing', { target: targetName })),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', id: 'planner-draw-site', 'aria-pressed': s.target.kind === 'site' ? 'true' : 'false', onclick: () => this.history.apply({ type: 'drawSite' }) }, t('planner.drawSite')),
          h('button', { type: 'button', id: 'planner-add-block', onclick: () => this.history.apply({ type: 'addBlock' }) }, t('planner.addBlock')),
          h('button', { type: 'button', id: 'planner-draw', 'aria-pressed': this.drawing ? 'true' : 'false', disabled: !this.ctx.map, onclick: () => this.toggleDrawing() }, this.drawing ? t('planner.stopDrawing') : t('planner.draw')),
          h('button', { type: 'button', id: 'planner-undo', disabled: !this.history.canUndo, onclick: () => this.history.undo() }, t('planner.undo')),
          h('button', { type: 'button', id: 'planner-redo', disabled: !this.history.canRedo, onclick: () => this.history.redo() }, t('planner.redo')),
        ),
        h('p', { role: 'status', class: 'vertex-count' }, `${targetName}: ${plural('planner.vertices', ring.length)}`),
        field(t('planner.coordinates'), coords),
        h('button', { type: 'button', onclick: () => this.applyCoordinates(coords.value) }, t('planner.applyCoordinates')),
        field(
          t('planner.geojson'),
          h('input', { type: 'file', id: 'planner-geojson', accept: '.geojson,.json,application/geo+json', onchange: (e: Event) => void this.loadGeoJson((e.target as HTMLInputElement).files?.[0]) }),
        ),
      ),
      s.blocks.length ? h('ol', { class: 'blocks' }, s.blocks.map((b, i) => this.renderBlock(b, i))) : null,
      problems.length ? h('ul', { class: 'problems', 'aria-label': t('planner.problems') }, problems.map((p) => h('li', {}, this.problemText(p)))) : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', id: 'planner-save', disabled: blocked, onclick: () => void this.save(false) }, t('planner.saveDraft')),
        !this.saved || this.saved.stage === 'draft'
          ? h('button', { type: 'button', class: 'primary', id: 'planner-publish', disabled: blocked, onclick: () => void this.save(true) }, t('planner.publish'))
          : null,
      ),
      this.saved ? [this.renderStage(this.saved), this.renderUploads(this.saved), this.renderOpportunity(this.saved), this.renderExports(this.saved)] : null,
    )
  }

  /** the saved proposal's work packages, for their interest lists */
  private exportsOf?: { proposalId: Id; opportunities: Opportunity[] }

  private async loadExports(p: Proposal) {
    // mark it loading: renders meanwhile must not fetch again
    this.exportsOf = { proposalId: p.id, opportunities: this.exportsOf?.proposalId === p.id ? this.exportsOf.opportunities : [] }
    try {
      const page = await this.ctx.api.opportunities({ proposal_id: p.id, limit: 100 })
      this.exportsOf = { proposalId: p.id, opportunities: page.items }
    } catch {
      this.exportsOf = { proposalId: p.id, opportunities: [] }
    }
    this.ctx.refresh()
  }

  /** CSV downloads: the comments (anonymised open data) and each work package's interest list. */
  private renderExports(p: Proposal): HTMLElement {
    const { t } = this.ctx.i18n
    if (this.exportsOf?.proposalId !== p.id) void this.loadExports(p)
    const opps = this.exportsOf?.proposalId === p.id ? this.exportsOf.opportunities : []
    return h(
      'section',
      { 'aria-labelledby': 'planner-exports-h', class: 'exports' },
      h('h3', { id: 'planner-exports-h' }, t('planner.exports')),
      h(
        'ul',
        {},
        h('li', {}, h('a', { href: 'api/v1/opendata/comments.csv', download: '' }, t('planner.exportComments'))),
        opps.map((o) => h('li', {}, h('a', { href: `api/v1/opportunities/${encodeURIComponent(o.id)}/interests.csv`, download: '' }, t('planner.exportInterest', { title: o.title })))),
      ),
      opps.length ? null : h('p', { class: 'muted' }, t('planner.noInterestLists')),
    )
  }

  private renderHeightNote(b: EditorState['blocks'][number], i: number): HTMLElement | null {
    const { t, tag } = this.ctx.i18n
    const note = heightNote(b)
    if (note.kind === 'none') return null
    const m = (v: number) => t('unit.metres', { value: formatNumber(v, tag) })
    return h(
      'p',
      { class: 'hint height-note', id: `block-${i}-height-note` },
      note.kind === 'fromStoreys'
        ? t('planner.heightFromStoreys', { storeys: note.storeys, storey: m(note.storeyHeight_m), height: m(note.height_m) })
        : t('planner.heightPerStorey', { height: m(note.height_m), storeys: note.storeys, storey: m(note.storeyHeight_m) }),
    )
  }

  private renderBlock(b: EditorState['blocks'][number], i: number): HTMLElement {
    const { t, plural } = this.ctx.i18n
    const num = (key: string, label: string, value: number | undefined, on: (v: number) => void, step = '0.5') =>
      field(label, h('input', { type: 'number', id: `block-${i}-${key}`, min: '0', step, value: value ?? '', onchange: (e: Event) => on(Number((e.target as HTMLInputElement).value)) }))
    return h(
      'li',
      {},
      h(
        'fieldset',
        {},
        h('legend', {}, `${t('planner.block', { n: i + 1 })} · ${plural('planner.vertices', b.footprint.length)}`),
        h(
          'div',
          { class: 'row' },
          num('height', t('planner.height'), b.height_m, (v) => this.history.apply({ type: 'setHeight', index: i, height_m: v })),
          num('storeys', t('planner.storeys'), b.storeys, (v) => this.history.apply({ type: 'setStoreys', index: i, storeys: v }), '1'),
          num('base', t('planner.base'), b.base_height_m, (v) => this.history.apply({ type: 'setBase', index: i, base_height_m: v })),
        ),
        this.renderHeightNote(b, i),
        h(
          'div',
          { class: 'actions' },
          h('button', { type: 'button', onclick: () => this.history.apply({ type: 'selectBlock', index: i }) }, t('planner.drawBlock', { n: i + 1 })),
          h('button', { type: 'button', onclick: () => this.history.apply({ type: 'deleteBlock', index: i }) }, t('planner.deleteBlockN', { n: i + 1 })),
        ),
      ),
    )
  }

  private toggleDrawing() {
    this.drawing = !this.drawing
    this.ctx.map?.setDrawing(this.drawing ? (p) => this.history.apply({ type: 'addVertex', at: p }) : undefined)
    this.ctx.refresh()
  }

  private applyCoordinates(text: string) {
    const points = parseCoordinateLines(text)
    const s = this.history.state
    const ring = s.target.kind === 'site' ? s.site : (s.blocks[s.target.index]?.footprint ?? [])
    const next = structuredClone(s)
    if (next.target.kind === 'site') next.site = points
    else next.blocks[next.target.index].footprint = points
    if (JSON.stringify(ring) !== JSON.stringify(points)) this.history.apply({ type: 'load', state: next })
  }

  private async loadGeoJson(file: File | undefined) {
    if (!file) return
    try {
      this.history.apply({ type: 'load', state: editorStateFromGeoJson(JSON.parse(await file.text()), this.history.state) })
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  private async save(publish: boolean) {
    const { t } = this.ctx.i18n
    const geometry = toProposalGeometry(this.history.state)
    const body: ProposalCreate = {
      reference: this.meta.reference.trim(),
      title: this.meta.title.trim(),
      description: this.meta.description,
      site_address: this.meta.site_address || null,
      dwellings: this.meta.dwellings ? Number(this.meta.dwellings) : null,
      consultation_start: this.meta.consultation_start || null,
      consultation_end: this.meta.consultation_end || null,
      site_boundary: geometry.site_boundary,
    }
    this.saving = true
    this.ctx.refresh()
    try {
      const { reference: _ref, ...update } = body
      let p = this.saved ? await this.ctx.api.updateProposal(this.saved.id, update) : await this.ctx.api.createProposal(body)
      this.saved = p
      p = await this.ctx.api.setMassing(p.id, geometry.massing)
      if (publish) p = await this.ctx.api.publish(p.id)
      this.saved = p
      this.ctx.announce(publish ? t('planner.published') : t('planner.saved'))
      if (publish) {
        this.deactivate()
        this.ctx.map?.showDraft(undefined)
        // show the published scheme in place (massing tileset, replaced buildings hidden)
        await this.ctx.openProposal(p.id, { keepView: true })
      } else void this.loadExports(p)
      // a draft stays in the editor: the planner goes on where they were
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    } finally {
      this.saving = false
      this.ctx.refresh()
    }
  }

  private async run(action: () => Promise<unknown>, ok: string) {
    try {
      await action()
      this.ctx.announce(ok)
      if (this.saved) {
        this.saved = await this.ctx.api.proposal(this.saved.id)
        await this.ctx.openProposal(this.saved.id, { keepView: true })
      }
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
    this.ctx.refresh()
  }

  private renderStage(p: Proposal): HTMLElement {
    const { t } = this.ctx.i18n
    const later = STAGES.slice(STAGES.indexOf(p.stage) + 1)
    if (!later.length) return h('p', {}, t('planner.currentStage', { stage: t(`stage.${p.stage}`) }))
    if (!later.includes(this.stage.stage)) this.stage.stage = later[0]
    const stage = h(
      'select',
      { id: 'planner-stage', onchange: (e: Event) => { this.stage.stage = (e.target as HTMLSelectElement).value as Stage; this.ctx.refresh() } },
      later.map((s) => h('option', { value: s, selected: s === this.stage.stage }, t(`stage.${s}`))),
    )
    const decision = h(
      'select',
      { id: 'planner-decision', onchange: (e: Event) => (this.stage.decision = (e.target as HTMLSelectElement).value as Decision) },
      h('option', { value: '' }, t('app.none')),
      (['approved', 'refused', 'withdrawn'] as const).map((d) => h('option', { value: d, selected: d === this.stage.decision }, t(`decision.${d}`))),
    )
    return h(
      'form',
      {
        'aria-labelledby': 'stage-h',
        onsubmit: (e: Event) => {
          e.preventDefault()
          void this.run(() => this.ctx.api.changeStage(p.id, this.stage.stage, this.stage.decision || undefined, this.stage.reason), t('planner.stageChanged'))
        },
      },
      h('h3', { id: 'stage-h' }, t('planner.changeStage')),
      h('p', {}, t('planner.currentStage', { stage: t(`stage.${p.stage}`) })),
      h('div', { class: 'row' }, field(t('proposals.stage'), stage), this.stage.stage === 'decided' ? field(t('planner.decision'), decision) : null),
      field(t('mod.reason'), h('input', { type: 'text', id: 'planner-stage-reason', value: this.stage.reason, oninput: (e: Event) => (this.stage.reason = (e.target as HTMLInputElement).value) })),
      h('button', { type: 'submit' }, t('planner.changeStage')),
    )
  }

  private renderUploads(p: Proposal): HTMLElement {
    const { t } = this.ctx.i18n
    const docFile = h('input', { type: 'file', name: 'document', id: 'planner-doc', accept: '.pdf,.png,.jpg,.jpeg,.webp,application/pdf,image/*' })
    const docTitle = h('input', { type: 'text', name: 'document-title', id: 'planner-doc-title' })
    const modelFile = h('input', { type: 'file', name: 'model', id: 'planner-model', accept: '.glb,model/gltf-binary' })
    const centre = ringCentre(this.history.state.site)
    const m = this.model
    if (!m.lon && p.model) Object.assign(m, { lon: String(p.model.lon), lat: String(p.model.lat), height_m: String(p.model.height_m ?? 0), heading_deg: String(p.model.heading_deg ?? 0), scale: String(p.model.scale ?? 1) })
    if (!m.lon && centre) Object.assign(m, { lon: centre.lon.toFixed(6), lat: centre.lat.toFixed(6) })
    const num = (key: keyof typeof m, label: string, step = 'any') =>
      field(label, h('input', { type: 'number', step, id: `planner-model-${key}`, value: m[key], oninput: (e: Event) => (m[key] = (e.target as HTMLInputElement).value) }))
    const placement = () => ({ lon: Number(m.lon), lat: Number(m.lat), height_m: Number(m.height_m) || 0, heading_deg: Number(m.heading_deg) || 0, scale: Number(m.scale) || 1 })
    return h(
      'div',
      {},
      h(
        'form',
        {
          'aria-labelledby': 'docs-h',
          onsubmit: (e: Event) => {
            e.preventDefault()
            const f = docFile.files?.[0]
            if (f) void this.run(() => this.ctx.api.uploadDocument(p.id, f, docTitle.value || f.name), t('planner.documentAdded'))
          },
        },
        h('h3', { id: 'docs-h' }, t('planner.documents')),
        p.documents.length ? h('ul', {}, p.documents.map((d) => h('li', {}, d.title || d.filename))) : null,
        field(t('planner.documentTitle'), docTitle),
        field(t('planner.documentFile'), docFile),
        h('button', { type: 'submit' }, t('planner.upload')),
      ),
      h(
        'form',
        {
          'aria-labelledby': 'model-h',
          onsubmit: (e: Event) => {
            e.preventDefault()
            const f = modelFile.files?.[0]
            if (f) void this.run(() => this.ctx.api.uploadModel(p.id, f, placement()), t('planner.modelSaved'))
            else if (p.model) void this.run(() => this.ctx.api.placeModel(p.id, placement()), t('planner.modelSaved'))
          },
        },
        h('h3', { id: 'model-h' }, t('planner.model')),
        field(t('planner.modelFile'), modelFile),
        h('fieldset', {}, h('legend', {}, t('planner.modelPlacement')), h('div', { class: 'row' }, num('lon', t('planner.longitude')), num('lat', t('planner.latitude'))), h('div', { class: 'row' }, num('height_m', t('planner.modelHeight'), '0.1'), num('heading_deg', t('planner.heading_deg'), '1'), num('scale', t('planner.scale'), '0.01'))),
        h('button', { type: 'submit' }, p.model ? t('planner.modelUpdate') : t('planner.upload')),
      ),
    )
  }

  private renderOpportunity(p: Proposal): HTMLElement {
    const { t } = this.ctx.i18n
    const o = this.opp
    const text = (key: 'title' | 'value_min' | 'value_max' | 'tender_end', label: string, type = 'text') =>
      field(label, h('input', { type, id: `opp-new-${key}`, value: o[key], min: type === 'number' ? '0' : undefined, oninput: (e: Event) => (o[key] = (e.target as HTMLInputElement).value) }))
    const centre = ringCentre(this.history.state.site)
    const submit = () => {
      if (!o.title.trim() || !this.oppCpv.codes.length) {
        this.ctx.announce(t('planner.oppNeeds'))
        return
      }
      void this.run(async () => {
        await this.ctx.api.createOpportunity({
          proposal_id: p.id,
          title: o.title.trim(),
          description: o.description,
          cpv_codes: this.oppCpv.codes,
          value_min: o.value_min ? Number(o.value_min) : null,
          value_max: o.value_max ? Number(o.value_max) : null,
          currency: 'GBP',
          sme_suitable: o.sme,
          tender_end: o.tender_end || null,
          status: 'planned',
          social_value: [...o.social],
          delivery_location: centre ? { type: 'Point', coordinates: [centre.lon, centre.lat] } : null,
        })
        this.opp = { title: '', description: '', value_min: '', value_max: '', tender_end: '', sme: true, social: new Set() }
        this.exportsOf = undefined // the new work package gets its interest list
        this.oppCpv.set([])
      }, t('planner.oppAdded'))
    }
    return h(
      'form',
      {
        'aria-labelledby': 'opp-add-h',
        onsubmit: (e: Event) => {
          e.preventDefault()
          submit()
        },
      },
      h('h3', { id: 'opp-add-h' }, t('planner.opportunity')),
      text('title', t('planner.oppTitle')),
      field(t('planner.description'), h('textarea', { id: 'opp-new-description', rows: '2', oninput: (e: Event) => (o.description = (e.target as HTMLTextAreaElement).value) }, o.description)),
      this.oppCpv.render(t('opps.cpv')),
      h('div', { class: 'row' }, text('value_min', t('opps.valueMin'), 'number'), text('value_max', t('opps.valueMax'), 'number')),
      text('tender_end', t('planner.tenderEnd'), 'date'),
      h('div', { class: 'check' }, h('input', { type: 'checkbox', id: 'opp-new-sme', checked: o.sme, onchange: (e: Event) => (o.sme = (e.target as HTMLInputElement).checked) }), h('label', { for: 'opp-new-sme' }, t('opps.sme'))),
      h(
        'fieldset',
        { class: 'checks' },
        h('legend', {}, t('opps.socialValue')),
        (Object.keys(SOCIAL) as SocialValue[]).map((v) =>
          h(
            'span',
            {},
            h('input', { type: 'checkbox', id: `opp-social-${v}`, checked: o.social.has(v), onchange: (e: Event) => ((e.target as HTMLInputElement).checked ? o.social.add(v) : o.social.delete(v)) }),
            h('label', { for: `opp-social-${v}` }, t(`social.${v}`)),
          ),
        ),
      ),
      h('button', { type: 'submit' }, t('planner.oppSave')),
    )
  }
}
