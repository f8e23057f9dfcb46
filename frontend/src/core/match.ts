/**
 * Why an opportunity matches an organisation, in the reader's language: the API sends each reason
 * as a `kind` with `params` (backend/services/organisations.py) beside the English `detail`.
 */
import type { Match, Opportunity } from '../api'
import { formatDistance } from '../i18n/format'

export type MatchReason = Match['reasons'][number]
type T = (key: 'match.sector' | 'match.distance' | 'match.sme', params?: Record<string, string | number>) => string

/** The CPV code's label in `locale` (the opportunity carries the labels of its codes). */
function cpvLabel(o: Opportunity, code: string, locale: string): string {
  const c = o.cpv.find((x) => x.code === code || x.code.replace(/-\d$/, '') === code.replace(/-\d$/, ''))
  if (!c) return ''
  return c.labels[locale] ?? c.labels.en ?? ''
}

export function matchReasonText(reason: MatchReason, o: Opportunity, t: T, locale: string, tag: string): string {
  const p = reason.params ?? {}
  switch (reason.kind) {
    case 'sector': {
      const cpv = String(p.cpv ?? '')
      if (!cpv) return reason.detail
      return t('match.sector', { cpv, label: cpvLabel(o, cpv, locale), prefix: String(p.prefix ?? '') })
    }
    case 'distance': {
      const d = Number(p.distance_km)
      const r = Number(p.radius_km)
      if (!Number.isFinite(d) || !Number.isFinite(r)) return reason.detail
      return t('match.distance', { distance: formatDistance(d * 1000, tag), radius: formatDistance(r * 1000, tag) })
    }
    case 'sme':
      return t('match.sme')
    default:
      return reason.detail
  }
}
