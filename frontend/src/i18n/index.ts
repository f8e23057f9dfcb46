/**
 * Tiny i18n: flat catalogues, `{name}` placeholders, plurals through Intl.PluralRules with
 * `_one`/`_other`(/`_few`/`_many`) keys falling back to `_other`.
 */
import { en, type Catalogue, type MessageKey } from './en'
import { et } from './et'
import { hu } from './hu'
import { it } from './it'
import { sv } from './sv'

export type { Catalogue, MessageKey }

export const LOCALES = [
  { code: 'en', tag: 'en-GB', name: 'English' },
  { code: 'it', tag: 'it-IT', name: 'Italiano' },
  { code: 'sv', tag: 'sv-SE', name: 'Svenska' },
  { code: 'et', tag: 'et-EE', name: 'Eesti' },
  { code: 'hu', tag: 'hu-HU', name: 'Magyar' },
] as const

export type LocaleCode = (typeof LOCALES)[number]['code']

export const CATALOGUES: Record<LocaleCode, Catalogue> = { en, it, sv, et, hu }

export type Params = Record<string, string | number>

export function interpolate(template: string, params: Params = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m))
}

export class I18n {
  private listeners = new Set<() => void>()
  constructor(private code: LocaleCode = 'en') {}

  get locale(): LocaleCode {
    return this.code
  }
  get tag(): string {
    return LOCALES.find((l) => l.code === this.code)!.tag
  }

  set(code: LocaleCode) {
    if (code === this.code) return
    this.code = code
    for (const fn of this.listeners) fn()
  }

  onChange(fn: () => void) {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  t = (key: MessageKey, params?: Params): string => {
    const template = CATALOGUES[this.code][key] ?? en[key] ?? key
    return interpolate(template, params)
  }

  /** `base` names a key family `base_one`, `base_other`, …; `{count}` is filled in localised. */
  plural = (base: string, count: number, params: Params = {}): string => {
    const category = new Intl.PluralRules(this.tag).select(count)
    const cat = CATALOGUES[this.code] as Record<string, string>
    const template = cat[`${base}_${category}`] ?? cat[`${base}_other`] ?? base
    return interpolate(template, { ...params, count: new Intl.NumberFormat(this.tag).format(count) })
  }
}

export function isLocale(code: string | null | undefined): code is LocaleCode {
  return LOCALES.some((l) => l.code === code)
}

/** ?lang=, then the stored choice, then the browser's languages, then English. */
export function initialLocale(search: string, stored: string | null, browser: readonly string[]): LocaleCode {
  const q = new URLSearchParams(search).get('lang')
  if (isLocale(q)) return q
  if (isLocale(stored)) return stored
  for (const lang of browser) {
    const code = lang.toLowerCase().split('-')[0]
    if (isLocale(code)) return code
  }
  return 'en'
}
