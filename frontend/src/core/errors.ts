/**
 * The API's errors in the reader's language. Every error body carries `key` and `params`
 * beside the English `detail` (backend/api/errors.py); `errorMessage` turns them into the
 * catalogue's `error.<key>` sentence, with field names, roles and stages translated too, and
 * falls back to the English detail for a key the catalogue does not have.
 */

export interface KeyedError {
  message: string
  key?: string
  params?: Record<string, string | number | string[]>
}

/** `translate(key, params)` gives the catalogue's sentence, or undefined when it has no `key`. */
export type Translate = (key: string, params?: Record<string, string | number>) => string | undefined

function isKeyed(err: unknown): err is KeyedError {
  return typeof err === 'object' && err !== null && typeof (err as KeyedError).message === 'string'
}

/** A field path (`massing.features.2.height_m`) as the reader knows it: its last name, translated. */
export function fieldLabel(path: string, translate: Translate): string {
  const parts = path.split('.')
  const name = [...parts].reverse().find((p) => !/^\d+$/.test(p)) ?? path
  const index = parts.find((p) => /^\d+$/.test(p))
  const label = translate(`field.${name}`) ?? name.replace(/_/g, ' ')
  return index === undefined ? label : `${label} (${Number(index) + 1})`
}

/** The reader's sentence for an API error (or any error: its message). */
export function errorMessage(err: unknown, translate: Translate, formatDate: (iso: string) => string = (d) => d): string {
  if (!isKeyed(err)) return String(err)
  const key = err.key
  if (!key) return err.message
  const params: Record<string, string | number> = { detail: err.message }
  for (const [name, value] of Object.entries(err.params ?? {})) {
    if (name === 'field' && typeof value === 'string') params.field = fieldLabel(value, translate)
    else if (name === 'role') {
      const roles = Array.isArray(value) ? value : [String(value)]
      params.role = roles.map((r) => translate(`role.${r}`) ?? r).join(' / ')
    } else if (name === 'stage') params.stage = translate(`stage.${value}`) ?? String(value)
    else if (name === 'date' && typeof value === 'string') params.date = formatDate(value)
    else params[name] = Array.isArray(value) ? value.join(', ') : value
  }
  const sentence = translate(`error.${key}`, params)
  return sentence ?? err.message
}
