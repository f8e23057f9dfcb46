/**
 * Errors beside the field they are about, in every form of the panels: a missing value the form
 * found, or the field the API names in its error (`params.field`, else the `field: …` the
 * detail starts with). The control gets `aria-invalid` and `aria-describedby` the error's id.
 */
import { h, type JSX } from 'preact'
import { ApiError } from '../api/client'
import { errorText } from './context'

export type Errors = Record<string, string>

/**
 * The path of the field an API error is about, dotted (`sectors.1.code`, `translations.en.title`,
 * `contact.email`), if it names one.
 */
export function errorPath(err: unknown): string | undefined {
  if (!(err instanceof ApiError)) return undefined
  const f = err.params.field
  const raw = typeof f === 'string' && f ? f : /^([a-z_][\w.[\]]*): /.exec(err.message)?.[1]
  return raw?.replace(/\[(\d+)\]/g, '.$1')
}

/** The top-level field an API error is about (`value_amount`, `sectors`), if any. */
export function errorField(err: unknown): string | undefined {
  return errorPath(err)?.split('.')[0]
}

/** A labelled control with an error for it beside it (`aria-describedby`, `aria-invalid`). */
export function fieldWithError(label: string, id: string, control: JSX.Element, error: string | undefined, hint?: string): JSX.Element {
  const errId = `${id}-error`
  const hintId = `${id}-hint`
  const props = control.props as Record<string, unknown>
  const described = [hint ? hintId : '', error ? errId : ''].filter(Boolean).join(' ')
  const extra: Record<string, unknown> = {}
  if (described) extra['aria-describedby'] = described
  if (error) extra['aria-invalid'] = 'true'
  const shown = described ? h(control.type as string, { ...props, ...extra }) : control
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, label),
    shown,
    hint ? h('p', { class: 'hint', id: hintId }, hint) : null,
    error ? h('p', { class: 'error', id: errId }, error) : null,
  )
}

/**
 * An API failure as errors beside fields (when it names one of `fields`, by its top-level name)
 * or as a general message.
 */
export function failure(err: unknown, fields: readonly string[]): { errors: Errors; general?: string } {
  const f = errorField(err)
  const text = errorText(err)
  return f && fields.includes(f) ? { errors: { [f]: text } } : { errors: {}, general: text }
}
