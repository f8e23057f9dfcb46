/**
 * The city edits the one-stop-shop guide (issue 15): per journey (start, grow, bid for public
 * work, go abroad) its ordered steps — the procedure or service, who provides it, cost, time, a
 * link, title and description in the five languages — added, changed, moved up or down and
 * removed (a planner or an admin, as the guide API requires). After each change the guide is
 * fetched again, so the positions shown are the server's (1..n per journey).
 */
import { h } from 'preact'
import { useEffect, useRef, useState } from 'preact/hooks'
import { guide, type GuideStep, type Journey } from '../api/funding'
import { createStep, deleteStep, updateStep, type JourneyName, type StepCreate } from '../api/funding_edit'
import { LOCALES, type MessageKey } from '../i18n'
import { Notice } from './components'
import { errorText, type AppContext } from './context'
import { errorPath, fieldWithError, type Errors } from './fielderrors'
import { useI18n } from './store'
import { LANGS } from './funding_schemes'

export const JOURNEYS: JourneyName[] = ['start', 'grow', 'bid', 'abroad']
type Lang = (typeof LANGS)[number]
type Texts = Record<Lang, { title: string; description: string }>

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value
const focusLater = (id: string) => requestAnimationFrame(() => document.getElementById(id)?.focus())

function textsOf(s: GuideStep | undefined): Texts {
  const t = (s?.translations ?? {}) as Record<string, { title: string; description?: string } | undefined>
  return Object.fromEntries(LANGS.map((l) => [l, { title: t[l]?.title ?? '', description: t[l]?.description ?? '' }])) as Texts
}

/** The form's error key for the field an API error names (its dotted path), if the form has it. */
export function stepErrorKey(path: string | undefined): string | undefined {
  if (!path) return undefined
  const [top, lang, part] = path.split('.')
  if (top === 'translations') return `translations.${LANGS.includes(lang as Lang) ? lang : 'en'}.${part === 'description' ? 'description' : 'title'}`
  return ['journey', 'position', 'provider', 'cost', 'duration', 'url'].includes(top) ? top : undefined
}

/** Add a step (`step` undefined) to `journey`, or change one. */
function StepForm({ ctx, journey, step, count, onDone, onCancel }: { ctx: AppContext; journey: JourneyName; step?: GuideStep; count: number; onDone: (s: GuideStep) => void; onCancel: () => void }) {
  const { t } = useI18n(ctx)
  const [texts, setTexts] = useState<Texts>(() => textsOf(step))
  const [j, setJ] = useState<JourneyName>(step?.journey ?? journey)
  const [position, setPosition] = useState(String(step?.position ?? count + 1))
  const [provider, setProvider] = useState(step?.provider ?? '')
  const [cost, setCost] = useState(step?.cost ?? '')
  const [duration, setDuration] = useState(step?.duration ?? '')
  const [url, setUrl] = useState(step?.url ?? '')
  const [errors, setErrors] = useState<Errors>({})
  const [general, setGeneral] = useState<string | undefined>(undefined)
  const [langsOpen, setLangsOpen] = useState(() => LANGS.some((l) => l !== 'en' && texts[l].title))
  const [busy, setBusy] = useState(false)
  const formRef = useRef<HTMLFormElement>(null)
  const fid = `guide-form-${step?.id ?? `new-${journey}`}`
  const id = (f: string) => `${fid}-${f}`
  useEffect(() => {
    focusLater(id('title-en'))
  }, [])
  // an error is said until its field changes
  const clear = (k: string) => setErrors((old) => (k in old ? Object.fromEntries(Object.entries(old).filter(([x]) => x !== k)) : old))
  const setText = (l: Lang, k: 'title' | 'description', v: string) => {
    setTexts((old) => ({ ...old, [l]: { ...old[l], [k]: v } }))
    clear(`translations.${l}.${k}`)
  }
  const focusFirstError = () => requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus())
  const submit = async (e: Event) => {
    e.preventDefault()
    const found: Errors = {}
    if (!texts.en.title.trim()) found['translations.en.title'] = t('funder.needTitle')
    for (const l of LANGS) if (l !== 'en' && !texts[l].title.trim() && texts[l].description.trim()) found[`translations.${l}.title`] = t('funder.needTitleToo')
    setErrors(found)
    setGeneral(undefined)
    if (Object.keys(found).length) {
      if (Object.keys(found).some((k) => !k.startsWith('translations.en'))) setLangsOpen(true)
      focusFirstError()
      return
    }
    const translations: StepCreate['translations'] = {}
    for (const l of LANGS) if (l === 'en' || texts[l].title.trim()) translations[l] = { title: texts[l].title.trim(), description: texts[l].description.trim() }
    const body: StepCreate = { journey: j, position: Number(position), translations, provider: provider.trim(), cost: cost.trim(), duration: duration.trim(), url: url.trim() || null }
    // moved to another journey: it goes at that journey's end (the positions listed are this one's)
    if (step && j !== step.journey) delete body.position
    setBusy(true)
    try {
      onDone(step ? await updateStep(ctx.api, step.id, body) : await createStep(ctx.api, body))
    } catch (err) {
      const key = stepErrorKey(errorPath(err))
      if (key) {
        setErrors({ [key]: errorText(err) })
        if (key.startsWith('translations.') && !key.startsWith('translations.en')) setLangsOpen(true)
        focusFirstError()
      } else setGeneral(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  const langName = (l: Lang) => LOCALES.find((x) => x.code === l)!.name
  const textFields = (l: Lang) => [
    fieldWithError(t('guideEdit.stepTitle', { language: langName(l) }), id(`title-${l}`), h('input', { id: id(`title-${l}`), maxLength: 200, value: texts[l].title, onInput: (e: Event) => setText(l, 'title', value(e)) }), errors[`translations.${l}.title`]),
    fieldWithError(t('guideEdit.description', { language: langName(l) }), id(`description-${l}`), h('textarea', { id: id(`description-${l}`), rows: 2, maxLength: 5000, value: texts[l].description, onInput: (e: Event) => setText(l, 'description', value(e)) }), errors[`translations.${l}.description`]),
  ]
  const positions = Array.from({ length: step ? count : count + 1 }, (_, i) => i + 1)
  const text = (f: string, label: string, v: string, set: (v: string) => void, props: Record<string, unknown> = {}) =>
    fieldWithError(label, id(f), h('input', { id: id(f), maxLength: 200, value: v, onInput: (e: Event) => (set(value(e)), clear(f)), ...props }), errors[f])
  return h(
    'form',
    { class: 'guide-form', ref: formRef, id: fid, 'aria-labelledby': id('h'), noValidate: true, onSubmit: (e: Event) => void submit(e) },
    h('h5', { id: id('h') }, step ? t('guideEdit.editHeading', { title: texts.en.title || '…' }) : t('guideEdit.addHeading', { journey: t(`fund.journey.${journey}` as MessageKey) })),
    ...textFields('en'),
    h(
      'details',
      { open: langsOpen, onToggle: (e: Event) => setLangsOpen((e.currentTarget as HTMLDetailsElement).open) },
      h('summary', {}, t('funder.otherLanguages')),
      LANGS.filter((l) => l !== 'en').map((l) => h('fieldset', { key: l, lang: l }, h('legend', {}, langName(l)), ...textFields(l))),
    ),
    text('provider', t('guideEdit.provider'), provider, setProvider, { autocomplete: 'organization' }),
    h('div', { class: 'row' }, text('cost', t('fund.cost'), cost, setCost), text('duration', t('fund.time'), duration, setDuration)),
    text('url', t('guideEdit.url'), url, setUrl, { type: 'url', maxLength: 500, inputMode: 'url' }),
    h(
      'div',
      { class: 'row' },
      step
        ? fieldWithError(t('guideEdit.journey'), id('journey'), h('select', { id: id('journey'), value: j, onChange: (e: Event) => setJ(value(e) as JourneyName) }, JOURNEYS.map((x) => h('option', { key: x, value: x }, t(`fund.journey.${x}` as MessageKey)))), errors.journey)
        : null,
      step && j !== step.journey
        ? null
        : fieldWithError(t('guideEdit.position'), id('position'), h('select', { id: id('position'), value: position, onChange: (e: Event) => setPosition(value(e)) }, positions.map((p) => h('option', { key: p, value: String(p) }, String(p)))), errors.position),
    ),
    general ? h(Notice, { kind: 'error' }, general) : null,
    h('div', { class: 'row' }, h('button', { type: 'submit', class: 'primary', id: id('save'), disabled: busy }, step ? t('app.save') : t('guideEdit.add')), h('button', { type: 'button', id: id('cancel'), onClick: onCancel }, t('app.cancel'))),
  )
}

/** The guide's journeys with their steps and the city's edits of them. */
export function GuideEditor({ ctx, journeys, onChanged }: { ctx: AppContext; journeys: Journey[]; onChanged: (j: Journey[]) => void }) {
  const { t } = useI18n(ctx)
  const [editing, setEditing] = useState<{ journey: JourneyName; step?: GuideStep } | undefined>(undefined)
  const [confirming, setConfirming] = useState<number | undefined>(undefined)
  const [error, setError] = useState<string | undefined>(undefined)
  const reload = async () => onChanged(await guide(ctx.api))
  const stepsOf = (name: JourneyName) => journeys.find((x) => x.journey === name)?.steps ?? []
  const titleOf = (s: GuideStep) => {
    const texts = s.translations as Record<string, { title: string } | undefined>
    return texts[ctx.i18n.locale]?.title || texts.en?.title || ''
  }
  const act = async (fn: () => Promise<unknown>, message: string, focus: string) => {
    try {
      await fn()
      await reload()
      setError(undefined)
      ctx.announce(message)
      focusLater(focus)
    } catch (err) {
      setError(errorText(err))
    }
  }
  const move = (s: GuideStep, by: number, n: number) => {
    const to = s.position + by
    // at the top or the bottom the pressed button is disabled: the focus goes to the other one
    const focus = `guide-step-${s.id}-${to === 1 ? 'down' : to === n ? 'up' : by < 0 ? 'up' : 'down'}`
    void act(() => updateStep(ctx.api, s.id, { position: to }), t('guideEdit.moved', { title: titleOf(s), position: to, count: n }), focus)
  }
  const done = (s: GuideStep) => {
    const was = editing
    setEditing(undefined)
    void act(async () => undefined, was?.step ? t('guideEdit.saved', { title: titleOf(s) }) : t('guideEdit.added', { title: titleOf(s) }), `guide-step-${s.id}-edit`)
  }
  const cancel = () => {
    const was = editing
    setEditing(undefined)
    focusLater(was?.step ? `guide-step-${was.step.id}-edit` : `guide-add-${was?.journey}`)
  }
  const button = (id: string, label: string, aria: string, onClick: () => void, disabled = false, cls?: string) =>
    h('button', { type: 'button', id, class: cls, 'aria-label': aria, disabled, onClick }, label)
  return h(
    'div',
    { class: 'guide-editor', id: 'guide-editor' },
    error ? h(Notice, { kind: 'error' }, error) : null,
    JOURNEYS.map((name) => {
      const steps = stepsOf(name)
      const journeyName = t(`fund.journey.${name}` as MessageKey)
      return h(
        'section',
        { key: name, 'aria-labelledby': `guide-edit-${name}-h`, class: 'guide-journey' },
        h('h4', { id: `guide-edit-${name}-h` }, journeyName),
        steps.length
          ? h(
              'ol',
              { class: 'guide-steps' },
              steps.map((s) => {
                const title = titleOf(s)
                if (editing?.step?.id === s.id) return h('li', { key: s.id }, h(StepForm, { ctx, journey: name, step: s, count: steps.length, onDone: done, onCancel: cancel }))
                const sid = (f: string) => `guide-step-${s.id}-${f}`
                return h(
                  'li',
                  { key: s.id, id: sid('item') },
                  h('strong', {}, title),
                  h('p', { class: 'muted' }, [s.provider, s.cost && `${t('fund.cost')}: ${s.cost}`, s.duration && `${t('fund.time')}: ${s.duration}`].filter(Boolean).join(' · ')),
                  h(
                    'div',
                    { class: 'row actions' },
                    button(sid('edit'), t('funder.edit'), t('funder.editOf', { title }), () => setEditing({ journey: name, step: s })),
                    button(sid('up'), t('guideEdit.up'), t('guideEdit.upOf', { title }), () => move(s, -1, steps.length), s.position <= 1),
                    button(sid('down'), t('guideEdit.down'), t('guideEdit.downOf', { title }), () => move(s, 1, steps.length), s.position >= steps.length),
                    confirming === s.id
                      ? [
                          button(sid('remove-yes'), t('guideEdit.confirmRemove'), t('guideEdit.confirmRemoveOf', { title }), () => {
                            setConfirming(undefined)
                            void act(() => deleteStep(ctx.api, s.id), t('guideEdit.removed', { title }), `guide-add-${name}`)
                          }, false, 'danger'),
                          button(sid('remove-no'), t('app.cancel'), t('app.cancel'), () => {
                            setConfirming(undefined)
                            focusLater(sid('remove'))
                          }),
                        ]
                      : button(sid('remove'), t('guideEdit.remove'), t('guideEdit.removeOf', { title }), () => {
                          setConfirming(s.id)
                          focusLater(sid('remove-yes'))
                        }),
                  ),
                )
              }),
            )
          : h('p', { class: 'muted' }, t('guideEdit.empty')),
        editing && !editing.step && editing.journey === name
          ? h(StepForm, { ctx, journey: name, count: steps.length, onDone: done, onCancel: cancel })
          : h('button', { type: 'button', id: `guide-add-${name}`, 'aria-label': t('guideEdit.addTo', { journey: journeyName }), onClick: () => setEditing({ journey: name }) }, t('guideEdit.addStep')),
      )
    }),
  )
}
