import { describe, expect, it } from 'vitest'
import { CATALOGUES, I18n, initialLocale, interpolate, LOCALES } from '.'
import { en } from './en'

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

describe('catalogues', () => {
  const keys = Object.keys(en).sort()

  it.each(LOCALES.map((l) => l.code))('%s has exactly the English keys, none empty', (code) => {
    const cat = CATALOGUES[code] as Record<string, string>
    expect(Object.keys(cat).sort()).toEqual(keys)
    for (const k of keys) expect(cat[k].trim(), `${code} ${k}`).not.toBe('')
  })

  it.each(LOCALES.map((l) => l.code))('%s keeps every placeholder of each message', (code) => {
    const cat = CATALOGUES[code] as Record<string, string>
    for (const k of keys) expect(placeholders(cat[k]), `${code} ${k}`).toEqual(placeholders((en as Record<string, string>)[k]))
  })

  it.each(LOCALES.filter((l) => l.code !== 'en').map((l) => l.code))('%s is actually translated', (code) => {
    const cat = CATALOGUES[code] as Record<string, string>
    const same = keys.filter((k) => cat[k] === (en as Record<string, string>)[k] && !/^\{|CivicTwin|OpenStreetMap|^\{value\} m$/.test(cat[k]))
    // a few words are the same in several languages (e.g. "Neutral", "Moderator"): allow a handful
    expect(same.length, same.join(', ')).toBeLessThan(8)
  })

  it('every plural family has the _other form in every language', () => {
    const families = new Set(keys.filter((k) => /_(one|other)$/.test(k)).map((k) => k.replace(/_(one|other)$/, '')))
    for (const code of Object.keys(CATALOGUES)) {
      for (const f of families) expect(CATALOGUES[code as 'en'], `${code} ${f}`).toHaveProperty(`${f}_other`)
    }
  })
})

describe('I18n', () => {
  it('translates, interpolates and switches language with a change event', () => {
    const i18n = new I18n('en')
    let changes = 0
    i18n.onChange(() => changes++)
    expect(i18n.t('tabs.proposals')).toBe('Proposals')
    i18n.set('sv')
    expect(i18n.t('tabs.proposals')).toBe('Förslag')
    expect(i18n.tag).toBe('sv-SE')
    expect(changes).toBe(1)
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}')
  })

  it('chooses plural forms through Intl.PluralRules and localises the count', () => {
    const i18n = new I18n('en')
    expect(i18n.plural('comments.count', 1)).toBe('1 comment')
    expect(i18n.plural('comments.count', 1234)).toBe('1,234 comments')
    i18n.set('et')
    expect(i18n.plural('comments.count', 2)).toBe('2 kommentaari')
    i18n.set('hu')
    expect(i18n.plural('comments.count', 1500)).toBe('1500 hozzászólás')
    i18n.set('it')
    // Italian has a "many" category for millions; it falls back to _other
    expect(i18n.plural('comments.count', 1_000_000)).toMatch(/commenti$/)
  })

  it('picks the initial language from the URL, storage, then the browser', () => {
    expect(initialLocale('?lang=hu', 'sv', ['it-IT'])).toBe('hu')
    expect(initialLocale('', 'sv', ['it-IT'])).toBe('sv')
    expect(initialLocale('', null, ['de-DE', 'et-EE'])).toBe('et')
    expect(initialLocale('?lang=xx', 'zz', ['fr'])).toBe('en')
  })
})
