/**
 * Proposal editor: draw the site and massing blocks on the map (or type/upload them), set
 * heights or storeys, dates; save, publish; upload documents and a glb model; add opportunities.
 */
import type { Proposal, ProposalCreate } from '../api'
import { EditorHistory, toProposalGeometry, validate, type EditorProblem } from '../core/editor'
import { outerRings, type LonLat } from '../core/geo'
import { errorText, hasRole, type AppContext } from './context'
import { field, h } from './dom'

export function parseCoordinateLines(text: string): LonLat[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split(/[\s,;]+/).map(Number))
    .filter((n) => n.length >= 2 && Number.isFinite(n[0]) && Number.isFinite(n[1]))
    .map(([lon, lat]) => ({ lon, lat }))
}

export class PlannerPanel {
  readonly history = new EditorHistory()
  private drawing = false
  private saved?: Proposal
  private meta = { title: '', reference: '', description: '', site_address: '', dwellings: '', consultation_start: '', consultation_end: '' }

  constructor(private readonly ctx: AppContext) {
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

  render(): HTMLElement {
    const { t, plural } = this.ctx.i18n
    if (!hasRole(this.ctx.user, 'planner')) return h('section', {}, h('h2', {}, t('planner.heading')), h('p', {}, t('planner.notAllowed')))
    const s = this.history.state
    const targetName = s.target.kind === 'site' ? t('planner.site') : t('planner.block', { n: s.target.index + 1 })
    const ring = s.target.kind === 'site' ? s.site : s.blocks[s.target.index]?.footprint ?? []
    const metaInput = (key: keyof typeof this.meta, label: string, type = 'text') =>
      field(label, h('input', { type, name: key, value: this.meta[key], oninput: (e: Event) => (this.meta[key] = (e.target as HTMLInputElement).value) }))
    const coords = h('textarea', { rows: '4', name: 'coordinates' }, ring.map((p) => `${p.lon.toFixed(6)}, ${p.lat.toFixed(6)}`).join('\n'))
    const problems = validate(s)
    return h(
      'section',
      { 'aria-labelledby': 'planner-h' },
      h('h2', { id: 'planner-h' }, t('planner.heading')),
      metaInput('title', t('planner.title')),
      metaInput('reference', t('planner.reference')),
      field(t('planner.description'), h('textarea', { name: 'description', rows: '3', oninput: (e: Event) => (this.meta.description = (e.target as HTMLTextAreaElement).value) }, this.meta.description)),
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
          h('button', { type: 'button', 'aria-pressed': s.target.kind === 'site' ? 'true' : 'false', onclick: () => this.history.apply({ type: 'drawSite' }) }, t('planner.drawSite')),
          h('button', { type: 'button', onclick: () => this.history.apply({ type: 'addBlock' }) }, t('planner.addBlock')),
          h('button', { type: 'button', 'aria-pressed': this.drawing ? 'true' : 'false', disabled: !this.ctx.map, onclick: () => this.toggleDrawing() }, this.drawing ? t('planner.stopDrawing') : t('planner.draw')),
          h('button', { type: 'button', disabled: !this.history.canUndo, onclick: () => this.history.undo() }, t('planner.undo')),
          h('button', { type: 'button', disabled: !this.history.canRedo, onclick: () => this.history.redo() }, t('planner.redo')),
        ),
        h('p', { role: 'status', class: 'vertex-count' }, `${targetName}: ${plural('planner.vertices', ring.length)}`),
        field(t('planner.coordinates'), coords),
        h('button', { type: 'button', onclick: () => this.applyCoordinates(coords.value) }, t('planner.applyCoordinates')),
        field(t('planner.geojson'), h('input', { type: 'file', accept: '.geojson,.json,application/geo+json', onchange: (e: Event) => void this.loadGeoJson((e.target as HTMLInputElement).files?.[0]) })),
      ),
      s.blocks.length ? h('ol', { class: 'blocks' }, s.blocks.map((b, i) => this.renderBlock(b, i))) : null,
      problems.length ? h('ul', { class: 'problems', 'aria-label': 'problems' }, problems.map((p) => h('li', {}, this.problemText(p)))) : null,
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', disabled: problems.length > 0, onclick: () => void this.save(false) }, t('planner.saveDraft')),
        h('button', { type: 'button', class: 'primary', disabled: problems.length > 0, onclick: () => void this.save(true) }, t('planner.publish')),
      ),
      this.saved ? this.renderUploads(this.saved) : null,
    )
  }

  private renderBlock(b: ReturnType<EditorHistory['state']['blocks']['at']> & object, i: number): HTMLElement {
    const { t, plural } = this.ctx.i18n
    const num = (label: string, value: number | undefined, on: (v: number) => void, step = '0.5') =>
      field(label, h('input', { type: 'number', min: '0', step, value: value ?? '', onchange: (e: Event) => on(Number((e.target as HTMLInputElement).value)) }))
    return h(
      'li',
      {},
      h('fieldset', {},
        h('legend', {}, `${t('planner.block', { n: i + 1 })} · ${plural('planner.vertices', b.footprint.length)}`),
        h('div', { class: 'row' },
          num(t('planner.height'), b.height_m, (v) => this.history.apply({ type: 'setHeight', index: i, height_m: v })),
          num(t('planner.storeys'), b.storeys, (v) => this.history.apply({ type: 'setStoreys', index: i, storeys: v }), '1'),
          num(t('planner.base'), b.base_height_m, (v) => this.history.apply({ type: 'setBase', index: i, base_height_m: v })),
        ),
        h('div', { class: 'actions' },
          h('button', { type: 'button', onclick: () => this.history.apply({ type: 'selectBlock', index: i }) }, t('planner.draw')),
          h('button', { type: 'button', onclick: () => this.history.apply({ type: 'deleteBlock', index: i }) }, t('planner.deleteBlock')),
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
    const ring = s.target.kind === 'site' ? s.site : s.blocks[s.target.index]?.footprint ?? []
    // Replace the ring as one undoable step: rebuild it from the typed points.
    const next = structuredClone(s)
    if (next.target.kind === 'site') next.site = points
    else next.blocks[next.target.index].footprint = points
    if (JSON.stringify(ring) !== JSON.stringify(points)) this.history.apply({ type: 'load', state: next })
  }

  private async loadGeoJson(file: File | undefined) {
    if (!file) return
    try {
      const doc = JSON.parse(await file.text()) as { type: string; features?: { geometry: Parameters<typeof outerRings>[0]; properties?: Record<string, unknown> }[] }
      const features = doc.type === 'FeatureCollection' ? doc.features ?? [] : []
      const state = structuredClone(this.history.state)
      features.forEach((f, i) => {
        const rings = f.geometry && (f.geometry.type === 'Polygon' || f.geometry.type === 'MultiPolygon') ? outerRings(f.geometry) : []
        const role = f.properties?.role ?? (i === 0 ? 'site' : 'block')
        for (const ring of rings) {
          if (role === 'site') state.site = ring
          else state.blocks.push({ footprint: ring, height_m: Number(f.properties?.height_m) || 12, base_height_m: Number(f.properties?.base_height_m) || 0 })
        }
      })
      this.history.apply({ type: 'load', state })
    } catch (err) {
      this.ctx.announce(this.ctx.i18n.t('account.failed', { detail: errorText(err) }))
    }
  }

  private async save(publish: boolean) {
    const { t } = this.ctx.i18n
    const geometry = toProposalGeometry(this.history.state)
    const body: ProposalCreate = {
      reference: this.meta.reference,
      title: this.meta.title,
      description: this.meta.description,
      site_address: this.meta.site_address || undefined,
      dwellings: this.meta.dwellings ? Number(this.meta.dwellings) : null,
      consultation_start: this.meta.consultation_start || null,
      consultation_end: this.meta.consultation_end || null,
      ...geometry,
    }
    try {
      let p = this.saved ? await this.ctx.api.updateProposal(this.saved.id, body) : await this.ctx.api.createProposal(body)
      if (publish) p = await this.ctx.api.changeStage(p.id, 'consultation')
      this.saved = p
      this.deactivate()
      this.ctx.announce(publish ? t('planner.published') : t('planner.saved'))
      this.ctx.refresh()
    } catch (err) {
      this.ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }

  private renderUploads(p: Proposal): HTMLElement {
    const { t } = this.ctx.i18n
    const docFile = h('input', { type: 'file', name: 'document' })
    const docTitle = h('input', { type: 'text', name: 'document-title' })
    const model = h('input', { type: 'file', name: 'model', accept: '.glb,model/gltf-binary' })
    const centre = outerRings(p.site_boundary)[0]?.[0]
    const lon = h('input', { type: 'number', step: 'any', value: centre?.lon ?? '' })
    const lat = h('input', { type: 'number', step: 'any', value: centre?.lat ?? '' })
    const heading = h('input', { type: 'number', step: '1', value: '0' })
    const scale = h('input', { type: 'number', step: '0.01', min: '0.01', value: '1' })
    const oppTitle = h('input', { type: 'text', name: 'opp-title' })
    const oppCpv = h('input', { type: 'text', name: 'opp-cpv' })
    const run = async (action: () => Promise<unknown>, ok: string) => {
      try {
        await action()
        this.ctx.announce(ok)
      } catch (err) {
        this.ctx.announce(t('account.failed', { detail: errorText(err) }))
      }
    }
    return h(
      'div',
      {},
      h('form', { 'aria-labelledby': 'docs-h', onsubmit: (e: Event) => { e.preventDefault(); const f = docFile.files?.[0]; if (f) void run(() => this.ctx.api.uploadDocument(p.id, f, docTitle.value || f.name), t('planner.saved')) } },
        h('h3', { id: 'docs-h' }, t('planner.documents')),
        field(t('planner.title'), docTitle), field(t('planner.documents'), docFile), h('button', { type: 'submit' }, t('app.save'))),
      h('form', { 'aria-labelledby': 'model-h', onsubmit: (e: Event) => { e.preventDefault(); const f = model.files?.[0]; if (f) void run(() => this.ctx.api.uploadModel(p.id, f, { lon: Number(lon.value), lat: Number(lat.value), height: 0, heading: Number(heading.value), scale: Number(scale.value) }), t('planner.saved')) } },
        h('h3', { id: 'model-h' }, t('planner.model')),
        field(t('planner.model'), model),
        h('div', { class: 'row' }, field(t('planner.longitude'), lon), field(t('planner.latitude'), lat)),
        h('div', { class: 'row' }, field(t('planner.heading_deg'), heading), field(t('planner.scale'), scale)),
        h('button', { type: 'submit' }, t('app.save'))),
      h('form', { 'aria-labelledby': 'opp-add-h', onsubmit: (e: Event) => { e.preventDefault(); void run(() => this.ctx.api.createOpportunity(p.id, { title: oppTitle.value, description: '', cpv_codes: oppCpv.value.split(/[\s,]+/).filter(Boolean), currency: 'EUR', sme_suitable: true, status: 'planned' }), t('planner.oppAdded')) } },
        h('h3', { id: 'opp-add-h' }, t('planner.opportunity')),
        field(t('planner.oppTitle'), oppTitle), field(t('opps.cpv'), oppCpv, t('opps.cpvHint')), h('button', { type: 'submit' }, t('app.save'))),
    )
  }
}
