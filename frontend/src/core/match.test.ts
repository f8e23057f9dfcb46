import { describe, expect, it } from 'vitest'
import type { Opportunity } from '../api'
import { I18n } from '../i18n'
import { matchReasonText } from './match'

const opportunity = {
  cpv: [{ code: '45112710-5', labels: { en: 'Landscaping work for green areas', sv: 'Anläggning av grönområden' } }],
} as unknown as Opportunity

describe('match reasons', () => {
  it('says each reason in the reader language with its CPV label and distances', () => {
    const i18n = new I18n('sv')
    const t = i18n.t
    expect(matchReasonText({ kind: 'sector', detail: 'English', params: { cpv: '45112710-5', prefix: '4511' } }, opportunity, t, 'sv', i18n.tag)).toBe(
      'CPV 45112710-5 (Anläggning av grönområden) ingår i din sektor 4511',
    )
    const distance = matchReasonText({ kind: 'distance', detail: 'English', params: { distance_km: 1.8, radius_km: 30 } }, opportunity, t, 'sv', i18n.tag)
    expect(distance).toBe(`${new Intl.NumberFormat('sv-SE', { style: 'unit', unit: 'kilometer', maximumFractionDigits: 1 }).format(1.8)} från din bas, inom din serviceradie på ${new Intl.NumberFormat('sv-SE', { style: 'unit', unit: 'kilometer', maximumFractionDigits: 1 }).format(30)}`)
    expect(matchReasonText({ kind: 'sme', detail: 'English', params: {} }, opportunity, t, 'sv', i18n.tag)).toBe('markerat som lämpligt för små och medelstora företag')
  })
  it('falls back to the English label and to the detail without params', () => {
    const i18n = new I18n('hu')
    expect(matchReasonText({ kind: 'sector', detail: 'x', params: { cpv: '45112710', prefix: '45' } }, opportunity, i18n.t, 'hu', i18n.tag)).toContain('Landscaping work for green areas')
    expect(matchReasonText({ kind: 'distance', detail: 'the English detail', params: {} }, opportunity, i18n.t, 'hu', i18n.tag)).toBe('the English detail')
  })
})
