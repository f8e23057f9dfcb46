/**
 * "My schemes" in the Funding panel (issue 15): a funder (or an admin) creates and changes a
 * funding or support scheme with every field the API has, publishes it, withdraws it to a draft
 * or closes its applications, and records the grants awarded under it (listed under the scheme,
 * with the 360Giving open-data link). A missing value, or the field an API error names, is said
 * beside that field (`fielderrors.ts`).
 */
import { h, type JSX } from 'preact'
import { useEffect, useMemo, useRef, useState } from 'preact/hooks'
import type { Opportunity } from '../api'
import type { Scheme, SchemeKind } from '../api/funding'
import {
  createGrant,
  deleteGrant,
  createScheme,
  deleteScheme,
  giving360Url,
  grantsOf,
  managedSchemes,
  updateScheme,
  type Grant,
  type SchemeCreate,
  type SchemeStatus,
} from '../api/funding_edit'
import { LOCALES, type MessageKey } from '../i18n'
import { formatCurrency, formatDate } from '../i18n/format'
import { Notice } from './components'
import { errorText, type AppContext } from './context'
import { CpvPicker } from './cpv'
import { errorPath, failure, fieldWithError, type Errors } from './fielderrors'
import { OrgSearch, type OrgChoice } from './orgsearch'
import { store, useI18n } from './store'

export const KINDS: SchemeKind[] = ['grant', 'loan', 'guarantee', 'equity', 'advice', 'training']
const SIZES = ['micro', 'small', 'medium'] as const
const STAGES = ['idea', 'startup', 'growth', 'established'] as const
export const LANGS = ['en', 'et', 'hu', 'it', 'sv'] as const
type Lang = (typeof LANGS)[number]
const CURRENCIES = ['GBP', 'EUR', 'SEK', 'HUF']

/** The scheme's title in the reader's language, else English. */
function titleOf(s: Scheme, locale: string): string {
  const texts = s.translations as Record<string, { title: string } | undefined>
  return texts[locale]?.title || texts.en?.title || s.provider
}

/**
 * A circle of `radiusKm` around lon/lat as a GeoJSON polygon of `n` vertices (closed), on a
 * sphere of the Earth's mean radius: the area applicants must be based in.
 */
export function circlePolygon(lon: number, lat: number, radiusKm: number, n = 48): { type: 'Polygon'; coordinates: number[][][] } {
  const R = 6371.0088
  const d = radiusKm / R
  const φ1 = (lat * Math.PI) / 180
  const λ1 = (lon * Math.PI) / 180
  const ring: number[][] = []
  for (let i = 0; i < n; i++) {
    const θ = (2 * Math.PI * i) / n
    const φ2 = Math.asin(Math.sin(φ1) * Math.cos(d) + Math.cos(φ1) * Math.sin(d) * Math.cos(θ))
    const λ2 = λ1 + Math.atan2(Math.sin(θ) * Math.sin(d) * Math.cos(φ1), Math.cos(d) - Math.sin(φ1) * Math.sin(φ2))
    ring.push([+((λ2 * 180) / Math.PI).toFixed(6), +((φ2 * 180) / Math.PI).toFixed(6)])
  }
  ring.push([...ring[0]])
  return { type: 'Polygon', coordinates: [ring] }
}

type AreaMode = 'anywhere' | 'keep' | 'radius'

/** The form's values, as typed (strings), before they become the API's body. */
export interface SchemeDraft {
  kind: SchemeKind
  provider: string
  texts: Record<Lang, { title: string; summary: string }>
  amount_min: string
  amount_max: string
  currency: string
  sizes: string[]
  stages: string[]
  nace: string
  area: AreaMode
  lon: string
  lat: string
  radius_km: string
  other_criteria: string
  opens_on: string
  closes_on: string
  rolling: boolean
  how_to_apply: string
  apply_url: string
  contact_name: string
  contact_email: string
  contact_phone: string
  opportunity_ids: number[]
}

export function draftOf(s: Scheme | undefined): SchemeDraft {
  const texts = (s?.translations ?? {}) as Record<string, { title: string; summary?: string } | undefined>
  return {
    kind: s?.kind ?? 'grant',
    provider: s?.provider ?? '',
    texts: Object.fromEntries(LANGS.map((l) => [l, { title: texts[l]?.title ?? '', summary: texts[l]?.summary ?? '' }])) as SchemeDraft['texts'],
    amount_min: s?.amount_min == null ? '' : String(s.amount_min),
    amount_max: s?.amount_max == null ? '' : String(s.amount_max),
    currency: s?.currency ?? 'GBP',
    sizes: [...(s?.sizes ?? [])],
    stages: [...(s?.stages ?? [])],
    nace: (s?.sectors ?? [])
      .filter((x) => x.scheme === 'NACE')
      .map((x) => x.code)
      .join(', '),
    area: s?.area ? 'keep' : 'anywhere',
    lon: '',
    lat: '',
    radius_km: '',
    other_criteria: s?.other_criteria ?? '',
    opens_on: s?.opens_on ?? '',
    closes_on: s?.closes_on ?? '',
    rolling: s?.rolling ?? false,
    how_to_apply: s?.how_to_apply ?? '',
    apply_url: s?.apply_url ?? '',
    contact_name: s?.contact.name ?? '',
    contact_email: s?.contact.email ?? '',
    contact_phone: s?.contact.phone ?? '',
    opportunity_ids: [...(s?.opportunity_ids ?? [])],
  }
}

const num = (v: string) => (v.trim() === '' ? null : Number(v))

/** What the form can tell before asking the API: the required fields and the pairs. */
export function missing(d: SchemeDraft, t: (k: MessageKey) => string): Errors {
  const e: Errors = {}
  if (!d.provider.trim()) e.provider = t('funder.needProvider')
  if (!d.texts.en.title.trim()) e['translations.en.title'] = t('funder.needTitle')
  for (const l of LANGS) if (l !== 'en' && !d.texts[l].title.trim() && d.texts[l].summary.trim()) e[`translations.${l}.title`] = t('funder.needTitleToo')
  for (const k of ['amount_min', 'amount_max'] as const) if (d[k].trim() && !Number.isFinite(Number(d[k]))) e[k] = t('funder.needNumber')
  if (!/^[A-Z]{3}$/.test(d.currency)) e.currency = t('funder.needCurrency')
  if (d.area === 'radius') {
    const [lon, lat, km] = [num(d.lon), num(d.lat), num(d.radius_km)]
    if (lon == null || lat == null || !(Math.abs(lon) <= 180) || !(Math.abs(lat) <= 90) || km == null || !(km > 0 && km <= 500)) e.area = t('funder.needArea')
  }
  return e
}

/** The API's body for the form's values (`cpv`: the CPV codes picked). */
export function bodyOf(d: SchemeDraft, cpv: string[], status?: SchemeStatus): SchemeCreate {
  const translations: SchemeCreate['translations'] = {}
  for (const l of LANGS) {
    const x = d.texts[l]
    if (l === 'en' || x.title.trim()) translations[l] = { title: x.title.trim(), summary: x.summary.trim() }
  }
  const nace = d.nace
    .split(/[,;\s]+/)
    .map((c) => c.trim())
    .filter(Boolean)
  const body: SchemeCreate = {
    kind: d.kind,
    provider: d.provider.trim(),
    translations,
    amount_min: num(d.amount_min),
    amount_max: num(d.amount_max),
    currency: d.currency,
    sizes: d.sizes as SchemeCreate['sizes'],
    stages: d.stages as SchemeCreate['stages'],
    sectors: [...cpv.map((code) => ({ scheme: 'CPV' as const, code })), ...nace.map((code) => ({ scheme: 'NACE' as const, code }))],
    other_criteria: d.other_criteria,
    opens_on: d.opens_on || null,
    closes_on: d.rolling ? null : d.closes_on || null,
    rolling: d.rolling,
    how_to_apply: d.how_to_apply,
    apply_url: d.apply_url.trim() || null,
    contact: { name: d.contact_name.trim() || null, email: d.contact_email.trim() || null, phone: d.contact_phone.trim() || null },
    opportunity_ids: d.opportunity_ids,
  }
  if (d.area === 'anywhere') body.area = null
  if (d.area === 'radius') body.area = circlePolygon(Number(d.lon), Number(d.lat), Number(d.radius_km))
  if (status) body.status = status
  return body
}

/** The form's error key for the field an API error names (its dotted path), if the form has it. */
export function errorKey(path: string | undefined, cpvCount: number): string | undefined {
  if (!path) return undefined
  const [top, second, third] = path.split('.')
  if (top === 'translations') return `translations.${LANGS.includes(second as Lang) ? second : 'en'}.${third === 'summary' ? 'summary' : 'title'}`
  if (top === 'sectors') return second !== undefined && Number(second) >= cpvCount ? 'sectors.nace' : 'sectors.cpv'
  if (top === 'contact') return `contact.${['name', 'email', 'phone'].includes(second) ? second : 'email'}`
  const known = ['kind', 'provider', 'amount_min', 'amount_max', 'currency', 'sizes', 'stages', 'area', 'other_criteria', 'opens_on', 'closes_on', 'rolling', 'how_to_apply', 'apply_url', 'opportunity_ids', 'status']
  return known.includes(top) ? top : undefined
}

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value

/** A group of checkboxes (sizes, stages, work packages), its error tied to the group. */
interface ChecksProps {
  legend: string
  id: string
  options: { value: string; label: string }[]
  chosen: string[]
  onChange: (v: string, on: boolean) => void
  error?: string
  hint?: string
}

function Checks({ legend, id, options, chosen, onChange, error, hint }: ChecksProps) {
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined
  return h(
    'fieldset',
    // a group takes no aria-invalid (ARIA 1.2): its error is tied by aria-describedby
    { class: 'checks', id, 'aria-describedby': described },
    h('legend', {}, legend),
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    options.map((o) =>
      h(
        'span',
        { key: o.value },
        h('input', {
          type: 'checkbox',
          id: `${id}-${o.value}`,
          checked: chosen.includes(o.value),
          onChange: (e: Event) => onChange(o.value, (e.currentTarget as HTMLInputElement).checked),
        }),
        h('label', { for: `${id}-${o.value}` }, o.label),
      ),
    ),
    error ? h('p', { class: 'error', id: `${id}-error` }, error) : null,
  )
}

/** The create / change form of one scheme. `scheme` undefined: a new one. */
export function SchemeForm({ ctx, scheme, onDone, onCancel }: { ctx: AppContext; scheme?: Scheme; onDone: (saved: Scheme) => void; onCancel: () => void }) {
  const { t } = useI18n(ctx)
  const [d, setD] = useState<SchemeDraft>(() => draftOf(scheme))
  const [errors, setErrors] = useState<Errors>({})
  const [general, setGeneral] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [packages, setPackages] = useState<Opportunity[]>([])
  const intent = useRef<SchemeStatus | undefined>(undefined)
  const picker = useMemo(() => new CpvPicker(ctx, 'scheme'), [ctx])
  const formRef = useRef<HTMLFormElement>(null)
  useEffect(() => {
    // the CPV sectors of the scheme as chips (the prefix, named by the code it stands for)
    const cpv = (scheme?.sectors ?? []).filter((x) => x.scheme === 'CPV')
    picker.set(cpv.map((x) => ({ code: x.code, label: '' })))
    let current = true
    void Promise.all(
      cpv.map((x) =>
        ctx.api
          .cpv({ prefix: x.code, lang: ctx.i18n.locale })
          .then((found) => found.find((c) => c.code.replace(/-\d$/, '').replace(/0+$/, '') === x.code.replace(/0+$/, '')) ?? found[0])
          .catch(() => undefined),
      ),
    ).then((found) => {
      if (current) picker.set(cpv.map((x, i) => ({ code: x.code, label: found[i]?.label ?? '' })))
    })
    void ctx.api
      .opportunities({ limit: 100 })
      .then((page) => current && setPackages(page.items))
      .catch(() => undefined)
    document.getElementById('scheme-kind')?.focus()
    return () => {
      current = false
    }
  }, [ctx, scheme, picker])
  const set = <K extends keyof SchemeDraft>(k: K, v: SchemeDraft[K]) => setD((old) => ({ ...old, [k]: v }))
  // an error is said until its field changes
  const clear = (k: string) => setErrors((old) => (k in old ? Object.fromEntries(Object.entries(old).filter(([x]) => x !== k)) : old))
  // from the state as it is when the box changes, not as it was at the last render
  const toggle = (k: 'sizes' | 'stages', v: string, on: boolean) => setD((old) => ({ ...old, [k]: on ? [...old[k].filter((x) => x !== v), v] : old[k].filter((x) => x !== v) }))
  const toggleLink = (v: string, on: boolean) => setD((old) => ({ ...old, opportunity_ids: on ? [...old.opportunity_ids.filter((x) => x !== Number(v)), Number(v)] : old.opportunity_ids.filter((x) => x !== Number(v)) }))
  const setText = (l: Lang, k: 'title' | 'summary', v: string) => setD((old) => ({ ...old, texts: { ...old.texts, [l]: { ...old.texts[l], [k]: v } } }))
  const focusFirstError = () =>
    requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())

  const submit = async (e: Event) => {
    e.preventDefault()
    const found = missing(d, t)
    setErrors(found)
    setGeneral(undefined)
    if (Object.keys(found).length) {
      if (Object.keys(found).some((k) => k.startsWith('translations.') && k !== 'translations.en.title')) setOpenLangs(true)
      focusFirstError()
      return
    }
    setBusy(true)
    const cpv = picker.codes
    try {
      const body = bodyOf(d, cpv, scheme ? undefined : (intent.current ?? 'draft'))
      if (scheme && d.area === 'keep') delete body.area
      const saved = scheme ? await updateScheme(ctx.api, scheme.id, body) : await createScheme(ctx.api, body)
      onDone(saved)
    } catch (err) {
      const key = errorKey(errorPath(err), cpv.length)
      if (key) {
        setErrors({ [key]: errorText(err) })
        if (key.startsWith('translations.') && !key.startsWith('translations.en')) setOpenLangs(true)
        focusFirstError()
      } else setGeneral(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  const [openLangs, setOpenLangs] = useState(() => LANGS.some((l) => l !== 'en' && d.texts[l].title))
  const id = (f: string) => `scheme-${f}`
  const input = (f: keyof SchemeDraft, label: string, errKey: string, props: Record<string, unknown> = {}, hint?: string) =>
    fieldWithError(
      label,
      id(f),
      h('input', {
        id: id(f),
        name: f,
        value: d[f] as string,
        ...props,
        onInput: (e: Event) => {
          const typed = value(e)
          set(f, (f === 'currency' ? typed.toUpperCase() : typed) as never)
          clear(errKey)
        },
      }),
      // the area's three boxes share one error, said once under their group
      errKey === 'area' ? undefined : errors[errKey],
      hint,
    )
  const area = d.area
  const areaAria = errors.area ? { 'aria-invalid': 'true', 'aria-describedby': id('area-error') } : {}
  const langName = (l: Lang) => LOCALES.find((x) => x.code === l)!.name
  const textFields = (l: Lang) => [
    fieldWithError(t('funder.titleIn', { language: langName(l) }), id(`title-${l}`), h('input', { id: id(`title-${l}`), maxLength: 200, value: d.texts[l].title, onInput: (e: Event) => (setText(l, 'title', value(e)), clear(`translations.${l}.title`)) }), errors[`translations.${l}.title`]),
    fieldWithError(t('funder.summaryIn', { language: langName(l) }), id(`summary-${l}`), h('textarea', { id: id(`summary-${l}`), rows: 3, maxLength: 5000, value: d.texts[l].summary, onInput: (e: Event) => (setText(l, 'summary', value(e)), clear(`translations.${l}.summary`)) }), errors[`translations.${l}.summary`]),
  ]
  const centre = () => {
    const p = ctx.map?.centrePoint()
    if (p) setD((old) => ({ ...old, lon: p.point.lon.toFixed(5), lat: p.point.lat.toFixed(5) }))
  }
  const linked = new Set(d.opportunity_ids)
  const packageOptions = [...packages.filter((o) => !o.parent_id || linked.has(o.id))]
  for (const oid of d.opportunity_ids) if (!packageOptions.some((o) => o.id === oid)) packageOptions.push({ id: oid, title: `#${oid}` } as Opportunity)
  const heading = scheme ? t('funder.editHeading', { title: titleOf(scheme, store.locale.value) }) : t('funder.newHeading')
  return h(
    'form',
    { class: 'scheme-form', ref: formRef, 'aria-labelledby': 'scheme-form-h', noValidate: true, onSubmit: (e: Event) => void submit(e) },
    h('h4', { id: 'scheme-form-h' }, heading),
    h(
      'div',
      { class: 'row' },
      fieldWithError(
        t('fund.kindLabel'),
        id('kind'),
        h('select', { id: id('kind'), value: d.kind, onChange: (e: Event) => set('kind', value(e) as SchemeKind) }, KINDS.map((k) => h('option', { key: k, value: k }, t(`fund.kind.${k}` as MessageKey)))),
        errors.kind,
      ),
      input('provider', t('funder.provider'), 'provider', { maxLength: 200, autocomplete: 'organization' }),
    ),
    ...textFields('en'),
    h(
      'details',
      { class: 'scheme-langs', open: openLangs, onToggle: (e: Event) => setOpenLangs((e.currentTarget as HTMLDetailsElement).open) },
      h('summary', {}, t('funder.otherLanguages')),
      LANGS.filter((l) => l !== 'en').map((l) => h('fieldset', { key: l, lang: l }, h('legend', {}, langName(l)), ...textFields(l))),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('funder.amounts')),
      h(
        'div',
        { class: 'row' },
        input('amount_min', t('funder.amountMin'), 'amount_min', { type: 'number', min: 0, step: 'any', inputMode: 'decimal' }),
        input('amount_max', t('funder.amountMax'), 'amount_max', { type: 'number', min: 0, step: 'any', inputMode: 'decimal' }),
        input('currency', t('funder.currency'), 'currency', { maxLength: 3, list: 'scheme-currencies', size: 4, autocapitalize: 'characters' }),
      ),
      h('datalist', { id: 'scheme-currencies' }, CURRENCIES.map((c) => h('option', { key: c, value: c }))),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('funder.eligibility')),
      h(Checks, { legend: t('funder.sizes'), id: id('sizes'), hint: t('funder.noneIsAny'), options: SIZES.map((s) => ({ value: s, label: t(`fund.size.${s}` as MessageKey) })), chosen: d.sizes, onChange: (v, on) => toggle('sizes', v, on), error: errors.sizes }),
      picker.view(t('funder.cpv'), errors['sectors.cpv']),
      input('nace', t('funder.nace'), 'sectors.nace', { maxLength: 200, autocapitalize: 'characters' }, t('funder.naceHint')),
      h(Checks, { legend: t('funder.stages'), id: id('stages'), hint: t('funder.noneIsAny'), options: STAGES.map((s) => ({ value: s, label: t(`funder.stage.${s}` as MessageKey) })), chosen: d.stages, onChange: (v, on) => toggle('stages', v, on), error: errors.stages }),
      h(
        'fieldset',
        { class: 'checks', id: id('area'), 'aria-describedby': errors.area ? id('area-error') : undefined },
        h('legend', {}, t('funder.area')),
        (['anywhere', ...(scheme?.area ? ['keep'] : []), 'radius'] as AreaMode[]).map((m) =>
          h('span', { key: m }, h('input', { type: 'radio', name: 'scheme-area', id: id(`area-${m}`), checked: area === m, onChange: () => set('area', m) }), h('label', { for: id(`area-${m}`) }, t(`funder.area.${m}` as MessageKey))),
        ),
        area === 'radius'
          ? h(
              'div',
              { class: 'row' },
              input('radius_km', t('funder.radius'), 'area', { ...areaAria, type: 'number', min: 1, max: 500, step: 'any', inputMode: 'decimal' }),
              input('lat', t('funder.lat'), 'area', { ...areaAria, type: 'number', min: -90, max: 90, step: 'any', inputMode: 'decimal' }),
              input('lon', t('funder.lon'), 'area', { ...areaAria, type: 'number', min: -180, max: 180, step: 'any', inputMode: 'decimal' }),
              ctx.map ? h('button', { type: 'button', id: id('centre'), onClick: centre }, t('funder.useCentre')) : null,
            )
          : null,
        errors.area ? h('p', { class: 'error', id: id('area-error') }, errors.area) : null,
      ),
      fieldWithError(t('funder.criteria'), id('other_criteria'), h('textarea', { id: id('other_criteria'), rows: 2, maxLength: 5000, value: d.other_criteria, onInput: (e: Event) => set('other_criteria', value(e)) }), errors.other_criteria),
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('funder.dates')),
      h('div', { class: 'field' }, h('input', { type: 'checkbox', id: id('rolling'), checked: d.rolling, onChange: (e: Event) => setD((old) => ({ ...old, rolling: (e.currentTarget as HTMLInputElement).checked, closes_on: '' })) }), h('label', { for: id('rolling') }, t('funder.rolling'))),
      h(
        'div',
        { class: 'row' },
        input('opens_on', t('funder.opensOn'), 'opens_on', { type: 'date' }),
        d.rolling ? null : input('closes_on', t('funder.closesOn'), 'closes_on', { type: 'date' }),
      ),
      errors.rolling ? h('p', { class: 'error' }, errors.rolling) : null,
    ),
    h(
      'fieldset',
      {},
      h('legend', {}, t('funder.applying')),
      fieldWithError(t('funder.howToApply'), id('how_to_apply'), h('textarea', { id: id('how_to_apply'), rows: 3, maxLength: 5000, value: d.how_to_apply, onInput: (e: Event) => set('how_to_apply', value(e)) }), errors.how_to_apply),
      input('apply_url', t('funder.applyUrl'), 'apply_url', { type: 'url', maxLength: 500, inputMode: 'url' }),
      h(
        'div',
        { class: 'row' },
        input('contact_name', t('funder.contactName'), 'contact.name', { maxLength: 200, autocomplete: 'name' }),
        input('contact_email', t('funder.contactEmail'), 'contact.email', { type: 'email', maxLength: 320, autocomplete: 'email' }),
        input('contact_phone', t('funder.contactPhone'), 'contact.phone', { type: 'tel', maxLength: 50, autocomplete: 'tel' }),
      ),
    ),
    packageOptions.length
      ? h(Checks, {
          legend: t('funder.packages'),
          id: id('packages'),
          hint: t('funder.packagesHint'),
          options: packageOptions.map((o) => ({ value: String(o.id), label: o.title })),
          chosen: d.opportunity_ids.map(String),
          onChange: toggleLink,
          error: errors.opportunity_ids,
        })
      : null,
    general ? h(Notice, { kind: 'error' }, general) : null,
    h(
      'div',
      { class: 'row' },
      scheme
        ? h('button', { type: 'submit', class: 'primary', id: id('save'), disabled: busy }, t('funder.saveChanges'))
        : [
            // the draft first: Enter in a text box (the form's default button) never publishes
            h('button', { type: 'submit', id: id('draft'), disabled: busy, onClick: () => (intent.current = 'draft') }, t('funder.saveDraft')),
            h('button', { type: 'submit', class: 'primary', id: id('publish'), disabled: busy, onClick: () => (intent.current = 'published') }, t('funder.publishNow')),
          ],
      h('button', { type: 'button', id: id('cancel'), onClick: onCancel }, t('app.cancel')),
    ),
  )
}

const GRANT_FIELDS = ['organisation_id', 'amount', 'awarded_on', 'title', 'currency'] as const

/** Focus an element once the render that makes it has been painted. */
const focusSoon = (elementId: string) => requestAnimationFrame(() => document.getElementById(elementId)?.focus())

/** The grants awarded under one scheme, and the form that records one. */
export function Grants({ ctx, scheme }: { ctx: AppContext; scheme: Scheme }) {
  const { t, tag } = useI18n(ctx)
  const [grants, setGrants] = useState<Grant[] | undefined>(undefined)
  const [confirmingGrant, setConfirmingGrant] = useState<number | undefined>(undefined)
  const [recipient, setRecipient] = useState<OrgChoice | null>(null)
  const [amount, setAmount] = useState('')
  const [on, setOn] = useState('')
  const [title, setTitle] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [general, setGeneral] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  const [open, setOpen] = useState(false)
  useEffect(() => {
    let current = true
    void grantsOf(ctx.api, scheme.id)
      .then((g) => current && setGrants(g))
      .catch(() => current && setGrants([]))
    return () => {
      current = false
    }
  }, [ctx, scheme.id])
  const id = (f: string) => `grant-${scheme.id}-${f}`
  // an error is said until its field changes
  const clear = (k: string) => setErrors((old) => (k in old ? Object.fromEntries(Object.entries(old).filter(([x]) => x !== k)) : old))
  const submit = async (e: Event) => {
    e.preventDefault()
    const found: Errors = {}
    if (!recipient) found.organisation_id = t('funder.needRecipient')
    if (!amount.trim()) found.amount = t('funder.needAmount')
    if (!on) found.awarded_on = t('award.needDate')
    setErrors(found)
    setGeneral(undefined)
    if (Object.keys(found).length) return
    setBusy(true)
    try {
      const g = await createGrant(ctx.api, scheme.id, { organisation_id: recipient!.id, amount: Number(amount), currency: scheme.currency, awarded_on: on, title: title.trim() || null })
      setGrants([...(grants ?? []), g])
      setRecipient(null)
      setAmount('')
      setOn('')
      setTitle('')
      ctx.announce(t('funder.grantRecorded', { name: g.organisation_name }))
    } catch (err) {
      const f = failure(err, GRANT_FIELDS)
      setErrors(f.errors)
      setGeneral(f.general)
    } finally {
      setBusy(false)
    }
  }
  const list = grants ?? []
  const withdraw = async (g: Grant) => {
    setConfirmingGrant(undefined)
    try {
      await deleteGrant(ctx.api, g.id)
      setGrants(list.filter((x) => x.id !== g.id))
      ctx.announce(t('funder.grantWithdrawn', { name: g.organisation_name }))
      focusSoon(id('form-h'))
    } catch (err) {
      ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }
  const grantActions = (g: Grant) => {
    const gid = `grant-${g.id}`
    const of = { name: g.organisation_name }
    return confirmingGrant === g.id
      ? [
          ' ',
          h('button', { type: 'button', class: 'danger', id: `${gid}-withdraw-yes`, 'aria-label': t('funder.confirmWithdrawGrantOf', of), onClick: () => void withdraw(g) }, t('funder.confirmWithdrawGrant')),
          ' ',
          h('button', { type: 'button', id: `${gid}-withdraw-no`, onClick: () => (setConfirmingGrant(undefined), focusSoon(`${gid}-withdraw`)) }, t('app.cancel')),
        ]
      : [' ', h('button', { type: 'button', class: 'link', id: `${gid}-withdraw`, 'aria-label': t('funder.withdrawGrantOf', of), onClick: () => (setConfirmingGrant(g.id), focusSoon(`${gid}-withdraw-yes`)) }, t('funder.withdrawGrant'))]
  }
  return h(
    'section',
    { class: 'grants', 'aria-labelledby': id('h') },
    h('h5', { id: id('h') }, t('funder.grants')),
    grants === undefined
      ? null
      : list.length
        ? h(
            'ul',
            { class: 'grant-list', id: id('list') },
            list.map((g) =>
              h('li', { key: g.id }, t('funder.grantLine', { name: g.organisation_name, amount: formatCurrency(g.amount, g.currency, tag), date: formatDate(g.awarded_on, tag) }), g.title ? ` — ${g.title}` : '', ...grantActions(g)),
            ),
          )
        : h('p', { class: 'muted' }, t('funder.noGrants')),
    list.length && scheme.status !== 'draft' ? h('p', {}, h('a', { href: giving360Url(ctx.api), id: id('360'), download: '360giving.json' }, t('funder.giving360'))) : null,
    h(
      'details',
      { class: 'grant-record', id: id('record-box'), open, onToggle: (e: Event) => setOpen((e.currentTarget as HTMLDetailsElement).open) },
      h('summary', { id: id('form-h') }, t('funder.recordGrant')),
      h(
        'form',
        { class: 'grant-form', 'aria-labelledby': id('form-h'), noValidate: true, onSubmit: (e: Event) => void submit(e) },
        h(OrgSearch, { ctx, id: id('org'), label: t('funder.recipient'), chosen: recipient, onChoose: (o: OrgChoice | null) => (setRecipient(o), o && clear('organisation_id')), error: errors.organisation_id }),
        h(
          'div',
          { class: 'row' },
          fieldWithError(t('funder.amountLabel', { currency: scheme.currency }), id('amount'), h('input', { id: id('amount'), type: 'number', min: 0, step: 'any', inputMode: 'decimal', value: amount, onInput: (e: Event) => (setAmount(value(e)), clear('amount')) }), errors.amount),
          fieldWithError(t('award.date'), id('date'), h('input', { id: id('date'), type: 'date', value: on, onInput: (e: Event) => (setOn(value(e)), clear('awarded_on')) }), errors.awarded_on),
        ),
        fieldWithError(t('funder.grantTitle'), id('title'), h('input', { id: id('title'), maxLength: 200, value: title, onInput: (e: Event) => (setTitle(value(e)), clear('title')) }), errors.title),
        general ? h(Notice, { kind: 'error' }, general) : null,
        h('button', { type: 'submit', id: id('record'), disabled: busy }, t('funder.record')),
      ),
    ),
  )
}

/** One of my schemes: its status, the actions on it and its grants. */
function ManagedScheme({ ctx, scheme, onEdit, onChanged }: { ctx: AppContext; scheme: Scheme; onEdit: () => void; onChanged: (s: Scheme | undefined, message: string) => void }) {
  const { t } = useI18n(ctx)
  const [confirming, setConfirming] = useState(false)
  const [error, setError] = useState<string | undefined>(undefined)
  const title = titleOf(scheme, store.locale.value)
  const status = async (to: SchemeStatus, message: MessageKey) => {
    try {
      const s = await updateScheme(ctx.api, scheme.id, { status: to })
      setError(undefined)
      onChanged(s, t(message, { title }))
    } catch (err) {
      setError(errorText(err))
    }
  }
  const remove = async () => {
    try {
      await deleteScheme(ctx.api, scheme.id)
      onChanged(undefined, t('funder.deleted', { title }))
    } catch (err) {
      setError(errorText(err))
    }
  }
  const sid = (f: string) => `my-scheme-${scheme.id}-${f}`
  const button = (f: string, label: string, aria: string, onClick: () => void, cls?: string) => h('button', { type: 'button', id: sid(f), class: cls, 'aria-label': aria, onClick }, label)
  return h(
    'li',
    { class: 'card my-scheme', id: sid('item') },
    h('h4', { id: sid('h') }, title),
    h('p', { class: 'muted' }, h('span', { class: `badge status-${scheme.status}` }, t(`funder.status.${scheme.status}` as MessageKey)), ` · ${t(`fund.kind.${scheme.kind}` as MessageKey)} · ${scheme.provider}`),
    scheme.status === 'draft' ? h('p', { class: 'hint' }, t('funder.draftHint')) : null,
    h(
      'div',
      { class: 'row actions' },
      button('edit', t('funder.edit'), t('funder.editOf', { title }), onEdit),
      scheme.status === 'published'
        ? [
            button('withdraw', t('funder.withdraw'), t('funder.withdrawOf', { title }), () => void status('draft', 'funder.withdrawn')),
            button('close', t('funder.close'), t('funder.closeOf', { title }), () => void status('closed', 'funder.closed')),
          ]
        : button('publish', t('funder.publish'), t('funder.publishOf', { title }), () => void status('published', 'funder.published')),
      confirming
        ? [
            button('delete-yes', t('funder.confirmDelete'), t('funder.confirmDeleteOf', { title }), () => void remove(), 'danger'),
            button('delete-no', t('app.cancel'), t('app.cancel'), () => {
              setConfirming(false)
              requestAnimationFrame(() => document.getElementById(sid('delete'))?.focus())
            }),
          ]
        : button('delete', t('app.delete'), t('funder.deleteOf', { title }), () => {
            setConfirming(true)
            requestAnimationFrame(() => document.getElementById(sid('delete-yes'))?.focus())
          }),
    ),
    error ? h(Notice, { kind: 'error' }, error) : null,
    h(Grants, { ctx, scheme }),
  )
}

/** "My schemes": a funder's (an admin's: every) scheme, the form, and the grants under each. */
export function MySchemes({ ctx, onChanged }: { ctx: AppContext; onChanged: () => void }): JSX.Element {
  const { t } = useI18n(ctx)
  const [items, setItems] = useState<Scheme[] | undefined>(undefined)
  const [editing, setEditing] = useState<Scheme | 'new' | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const load = async () => {
    try {
      setItems((await managedSchemes(ctx.api)).items)
      setError(undefined)
    } catch (err) {
      setError(errorText(err))
    }
  }
  useEffect(() => {
    void load()
  }, [ctx])
  const focusLater = (elementId: string) => requestAnimationFrame(() => document.getElementById(elementId)?.focus())
  const done = (saved: Scheme) => {
    const title = titleOf(saved, store.locale.value)
    const was = editing
    setEditing(undefined)
    setItems((old) => [saved, ...(old ?? []).filter((s) => s.id !== saved.id)])
    ctx.announce(was === 'new' ? t(saved.status === 'published' ? 'funder.createdPublished' : 'funder.createdDraft', { title }) : t('funder.saved', { title }))
    focusLater(`my-scheme-${saved.id}-edit`)
    onChanged()
  }
  const changed = (before: Scheme, after: Scheme | undefined, message: string) => {
    setItems((old) => (after ? (old ?? []).map((s) => (s.id === after.id ? after : s)) : (old ?? []).filter((s) => s.id !== before.id)))
    ctx.announce(message)
    // the button pressed is replaced by its opposite: the focus goes to the scheme's first action
    focusLater(after ? `my-scheme-${after.id}-edit` : 'my-schemes-new')
    onChanged()
  }
  const cancel = () => {
    const was = editing
    setEditing(undefined)
    focusLater(was && was !== 'new' ? `my-scheme-${was.id}-edit` : 'my-schemes-new')
  }
  const list = items ?? []
  return h(
    'section',
    { 'aria-labelledby': 'my-schemes-h', class: 'my-schemes', id: 'my-schemes' },
    h('h3', { id: 'my-schemes-h' }, t('funder.heading')),
    error ? h(Notice, { kind: 'error' }, error) : null,
    editing === 'new' ? h(SchemeForm, { ctx, onDone: done, onCancel: cancel }) : h('button', { type: 'button', id: 'my-schemes-new', class: 'primary', onClick: () => setEditing('new') }, t('funder.new')),
    items === undefined
      ? null
      : list.length
        ? h(
            'ul',
            { class: 'cards', id: 'my-schemes-list' },
            list.map((s) =>
              editing !== 'new' && editing?.id === s.id
                ? h('li', { key: s.id, class: 'card' }, h(SchemeForm, { ctx, scheme: s, onDone: done, onCancel: cancel }))
                : h(ManagedScheme, { key: s.id, ctx, scheme: s, onEdit: () => setEditing(s), onChanged: (after, message) => changed(s, after, message) }),
            ),
          )
        : h('p', { class: 'muted' }, t('funder.none')),
  )
}

