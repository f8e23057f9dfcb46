/**
 * Awards and supply chains (issue 15): a planner records the award of a work package (supplier
 * organisation, value, date, the supplier's size) and sees the development's supply-chain KPIs;
 * the contractor that won a work package posts sub-packages under it, and anyone sees them
 * listed on the work package. An error the API names a field for is shown beside that field.
 */
import { useEffect, useMemo, useState } from 'preact/hooks'
import { h } from 'preact'
import type { Id, Opportunity } from '../api'
import { awardsOf, createAward, createSubPackage, deleteAward, interestsOf, subPackagesOf, SUPPLIER_SIZES, type Award, type InterestForPublisher } from '../api/awards'
import { kpis as kpisApi, type Kpis } from '../api/funding'
import type { MessageKey } from '../i18n'
import { formatCurrency, formatDate } from '../i18n/format'
import { Notice } from './components'
import { errorText, hasRole, type AppContext } from './context'
import { CpvPicker } from './cpv'
import { failure, fieldWithError, type Errors } from './fielderrors'
import { OrgSearch, type OrgChoice } from './orgsearch'
import { store, useI18n } from './store'

const pct = (v: number | null | undefined) => (v == null ? '–' : `${Math.round(v * 100)} %`)

/** The supply-chain KPIs of one development, with meters for the SME shares. */
export function DevelopmentKpis({ ctx, proposalId, version }: { ctx: AppContext; proposalId: Id; version: number }) {
  const { t } = useI18n(ctx)
  const [k, setK] = useState<Kpis | undefined>(undefined)
  useEffect(() => {
    let current = true
    void kpisApi(ctx.api, proposalId)
      .then((got) => current && setK(got))
      .catch(() => undefined)
    return () => {
      current = false
    }
  }, [ctx, proposalId, version])
  if (!k) return null
  const meter = (id: string, label: string, v: number | null) =>
    h('div', { class: 'field' }, h('label', { for: id }, `${label}: ${pct(v)}`), h('meter', { id, min: 0, max: 1, value: v ?? 0 }))
  return h(
    'section',
    { class: 'kpis', 'aria-labelledby': 'award-kpi-h' },
    h('h4', { id: 'award-kpi-h' }, t('award.kpis')),
    meter('award-kpi-sme', t('fund.kpi.smeShare'), k.sme_share),
    meter('award-kpi-local', t('fund.kpi.localShare'), k.local_sme_share),
    h(
      'dl',
      { class: 'props' },
      h('dt', {}, t('fund.kpi.awards')),
      h('dd', { id: 'award-kpi-awards' }, `${k.awards} / ${k.work_packages}`),
      h('dt', {}, t('award.kpiValue')),
      h('dd', {}, k.currency ? formatCurrency(k.awarded_value, k.currency, ctx.i18n.tag) : String(k.awarded_value)),
      h('dt', {}, t('fund.kpi.engaged')),
      h('dd', {}, String(k.smes_engaged)),
      h('dt', {}, t('fund.kpi.days')),
      h('dd', { id: 'award-kpi-days' }, k.median_days_to_award == null ? '–' : String(k.median_days_to_award)),
    ),
  )
}

const AWARD_FIELDS = ['supplier_id', 'value_amount', 'awarded_on', 'supplier_size'] as const
/** The supplier select's last option: search the whole directory instead. */
const OTHER = 'other'

/** One work package's awards and the form that records one (its planner). */
export function AwardForm({ ctx, o, onChange }: { ctx: AppContext; o: Opportunity; onChange: () => void }) {
  const { t, tag } = useI18n(ctx)
  const [awards, setAwards] = useState<Award[]>([])
  const [suppliers, setSuppliers] = useState<InterestForPublisher[] | undefined>(undefined)
  const [supplier, setSupplier] = useState('')
  const [found, setFound] = useState<OrgChoice | null>(null)
  const [value, setValue] = useState('')
  const [on, setOn] = useState('')
  const [size, setSize] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [general, setGeneral] = useState<string | undefined>(undefined)
  const [busy, setBusy] = useState(false)
  useEffect(() => {
    let current = true
    void awardsOf(ctx.api, o.id).then((a) => current && setAwards(a)).catch(() => undefined)
    void interestsOf(ctx.api, o.id)
      .then((l) => current && setSuppliers(l.items))
      .catch(() => current && setSuppliers([]))
    return () => {
      current = false
    }
  }, [ctx, o.id])
  const id = (f: string) => `award-${o.id}-${f}`
  const submit = async (e: Event) => {
    e.preventDefault()
    const missing: Errors = {}
    const supplierId = supplier && supplier !== OTHER ? Number(supplier) : found?.id
    if (!supplierId) missing.supplier_id = t('award.needSupplier')
    if (!value) missing.value_amount = t('award.needValue')
    if (!on) missing.awarded_on = t('award.needDate')
    setErrors(missing)
    setGeneral(undefined)
    if (Object.keys(missing).length || !supplierId) return
    setBusy(true)
    try {
      const a = await createAward(ctx.api, o.id, {
        supplier_id: supplierId,
        value_amount: Number(value),
        currency: o.value?.currency || 'GBP',
        awarded_on: on,
        supplier_size: size ? (size as Award['supplier_size']) : null,
      })
      setAwards([...awards, a])
      setSupplier('')
      setFound(null)
      setValue('')
      setOn('')
      setSize('')
      ctx.announce(t('award.recorded', { name: a.supplier_name }))
      onChange()
    } catch (err) {
      const f = failure(err, AWARD_FIELDS)
      setErrors(f.errors)
      setGeneral(f.general)
    } finally {
      setBusy(false)
    }
  }
  const withdraw = async (a: Award) => {
    try {
      await deleteAward(ctx.api, a.id)
      setAwards(awards.filter((x) => x.id !== a.id))
      ctx.announce(t('award.withdrawn'))
      onChange()
    } catch (err) {
      ctx.announce(t('account.failed', { detail: errorText(err) }))
    }
  }
  const input = (e: Event) => (e.currentTarget as HTMLInputElement).value
  // an interested organisation from the list, or any organisation found in the directory
  const other = supplier === OTHER || (suppliers !== undefined && suppliers.length === 0)
  const supplierControl = suppliers?.length
    ? h(
        'select',
        { id: id('supplier'), name: 'supplier_id', value: supplier, onChange: (e: Event) => setSupplier(input(e)) },
        h('option', { value: '' }, t('award.chooseSupplier')),
        suppliers.map((s) => h('option', { key: s.organisation_id, value: String(s.organisation_id) }, s.organisation_name)),
        h('option', { value: OTHER }, t('award.otherSupplier')),
      )
    : null
  const directory = other
    ? h(OrgSearch, { ctx, id: id('supplier-q'), label: t('award.findSupplier'), chosen: found, onChoose: setFound, error: supplierControl ? undefined : errors.supplier_id })
    : null
  return h(
    'li',
    { class: 'award' },
    h('h4', { id: id('h') }, o.title),
    awards.length
      ? h(
          'ul',
          { class: 'awards' },
          awards.map((a) =>
            h(
              'li',
              { key: a.id },
              t('award.line', { name: a.supplier_name, size: t(`award.size.${a.supplier_size}` as MessageKey), value: formatCurrency(a.value_amount, a.currency, tag), date: formatDate(a.awarded_on, tag) }),
              ' ',
              h('button', { type: 'button', class: 'link', 'aria-label': t('award.withdrawOf', { name: a.supplier_name }), onClick: () => void withdraw(a) }, t('award.withdraw')),
            ),
          ),
        )
      : h('p', { class: 'muted' }, t('award.none')),
    h(
      'form',
      { class: 'award-form', 'aria-labelledby': id('h'), noValidate: true, onSubmit: (e: Event) => void submit(e) },
      supplierControl ? fieldWithError(t('award.supplier'), id('supplier'), supplierControl, errors.supplier_id) : null,
      directory,
      h(
        'div',
        { class: 'row' },
        fieldWithError(t('award.value', { currency: o.value?.currency || 'GBP' }), id('value'), h('input', { id: id('value'), name: 'value_amount', type: 'number', min: 0, step: 'any', value, onInput: (e: Event) => setValue(input(e)) }), errors.value_amount),
        fieldWithError(t('award.date'), id('date'), h('input', { id: id('date'), name: 'awarded_on', type: 'date', value: on, onInput: (e: Event) => setOn(input(e)) }), errors.awarded_on),
      ),
      fieldWithError(
        t('award.sizeLabel'),
        id('size'),
        h(
          'select',
          { id: id('size'), name: 'supplier_size', value: size, onChange: (e: Event) => setSize(input(e)) },
          h('option', { value: '' }, t('award.sizeFromProfile')),
          SUPPLIER_SIZES.map((s) => h('option', { key: s, value: s }, t(`award.size.${s}` as MessageKey))),
        ),
        errors.supplier_size,
      ),
      general ? h(Notice, { kind: 'error' }, general) : null,
      h('button', { type: 'submit', disabled: busy }, t('award.record')),
    ),
  )
}

/** The planner's awards of a development's work packages, and its KPIs. */
export function AwardsSection({ ctx, proposalId, opportunities }: { ctx: AppContext; proposalId: Id; opportunities: Opportunity[] }) {
  const { t } = useI18n(ctx)
  const [version, setVersion] = useState(0)
  return h(
    'section',
    { 'aria-labelledby': 'awards-h', class: 'awards-section' },
    h('h3', { id: 'awards-h' }, t('award.heading')),
    h(DevelopmentKpis, { ctx, proposalId, version }),
    opportunities.length
      ? h('ul', { class: 'award-list' }, opportunities.map((o) => h(AwardForm, { key: o.id, ctx, o, onChange: () => setVersion((v) => v + 1) })))
      : h('p', { class: 'muted' }, t('award.noPackages')),
  )
}

const SUB_FIELDS = ['title', 'cpv_codes', 'value_amount', 'tender_end', 'description'] as const

/**
 * A work package's sub-packages (anyone), each opened like a work package; the contractor whose
 * organisation won it posts a new one.
 */
export function SubPackages({ ctx, o, onOpen }: { ctx: AppContext; o: Opportunity; onOpen: (s: Opportunity) => void }) {
  const { t, tag } = useI18n(ctx)
  const [items, setItems] = useState<Opportunity[] | undefined>(undefined)
  const [won, setWon] = useState(false)
  const [title, setTitle] = useState('')
  // the CPV codes from the same combobox as the work packages' (search by code or words)
  const picker = useMemo(() => new CpvPicker(ctx, 'sub'), [ctx])
  const [value, setValue] = useState('')
  const [end, setEnd] = useState('')
  const [description, setDescription] = useState('')
  const [errors, setErrors] = useState<Errors>({})
  const [general, setGeneral] = useState<string | undefined>(undefined)
  const user = store.user.value
  const contractor = hasRole(user, 'contractor')
  useEffect(() => {
    let current = true
    setItems(undefined)
    void subPackagesOf(ctx.api, o.id).then((l) => current && setItems(l)).catch(() => current && setItems([]))
    if (contractor)
      void Promise.all([ctx.api.myOrganisation(), awardsOf(ctx.api, o.id)])
        .then(([org, awards]) => current && setWon(awards.some((a) => a.supplier_id === org.id)))
        .catch(() => current && setWon(false))
    return () => {
      current = false
    }
  }, [ctx, o.id, contractor])
  const submit = async (e: Event) => {
    e.preventDefault()
    const codes = picker.codes
    const missing: Errors = {}
    if (!title.trim()) missing.title = t('sub.needTitle')
    if (!codes.length) missing.cpv_codes = t('sub.needCpv')
    setErrors(missing)
    setGeneral(undefined)
    if (Object.keys(missing).length) return
    try {
      const point = o.delivery_location
      const made = await createSubPackage(ctx.api, o.id, {
        title: title.trim(),
        description,
        cpv_codes: codes,
        value_amount: value ? Number(value) : null,
        currency: o.value?.currency || 'GBP',
        tender_end: end ? `${end}T17:00:00Z` : null,
        status: 'active',
        sme_suitable: true,
        delivery_location: point ?? null,
      } as never)
      setItems([...(items ?? []), made])
      setTitle('')
      picker.set([])
      setValue('')
      setEnd('')
      setDescription('')
      ctx.announce(t('sub.posted', { title: made.title }))
    } catch (err) {
      const f = failure(err, SUB_FIELDS)
      setErrors(f.errors)
      setGeneral(f.general)
    }
  }
  const input = (e: Event) => (e.currentTarget as HTMLInputElement).value
  const id = (f: string) => `sub-${f}`
  // nothing to list and nothing this reader may post: no section (most work packages)
  if (!won && !items?.length) return null
  return h(
    'section',
    { class: 'sub-packages', 'aria-labelledby': 'sub-h' },
    h('h4', { id: 'sub-h' }, t('sub.heading')),
    items === undefined
      ? null
      : items.length
        ? h(
            'ul',
            { class: 'sub-list' },
            items.map((s) =>
              h(
                'li',
                { key: s.id },
                h('button', { type: 'button', class: 'link', onClick: () => onOpen(s) }, s.title),
                s.tender_period?.end ? ` — ${t('sub.closes', { date: formatDate(String(s.tender_period.end), tag) })}` : '',
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('sub.none')),
    won
      ? h(
          'form',
          { class: 'sub-form', 'aria-labelledby': 'sub-form-h', noValidate: true, onSubmit: (e: Event) => void submit(e) },
          h('h5', { id: 'sub-form-h' }, t('sub.post')),
          fieldWithError(t('sub.title'), id('title'), h('input', { id: id('title'), name: 'title', value: title, onInput: (e: Event) => setTitle(input(e)) }), errors.title),
          fieldWithError(t('sub.description'), id('description'), h('textarea', { id: id('description'), name: 'description', rows: 2, value: description, onInput: (e: Event) => setDescription(input(e)) }), errors.description),
          picker.view(t('sub.cpv'), errors.cpv_codes),
          h(
            'div',
            { class: 'row' },
            fieldWithError(t('award.value', { currency: o.value?.currency || 'GBP' }), id('value'), h('input', { id: id('value'), name: 'value_amount', type: 'number', min: 0, step: 'any', value, onInput: (e: Event) => setValue(input(e)) }), errors.value_amount),
            fieldWithError(t('sub.tenderEnd'), id('end'), h('input', { id: id('end'), name: 'tender_end', type: 'date', value: end, onInput: (e: Event) => setEnd(input(e)) }), errors.tender_end),
          ),
          general ? h(Notice, { kind: 'error' }, general) : null,
          h('button', { type: 'submit', class: 'primary' }, t('sub.submit')),
        )
      : null,
  )
}
