/** Locale-aware formatting through Intl; every function takes the BCP 47 tag explicitly. */

function toDate(d: Date | string): Date {
  return typeof d === 'string' ? new Date(d) : d
}

export function formatDate(d: Date | string, tag: string): string {
  return new Intl.DateTimeFormat(tag, { dateStyle: 'medium' }).format(toDate(d))
}

export function formatDateTime(d: Date | string, tag: string, timeZone?: string): string {
  return new Intl.DateTimeFormat(tag, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(toDate(d))
}

export function formatNumber(n: number, tag: string, maxFraction = 1): string {
  return new Intl.NumberFormat(tag, { maximumFractionDigits: maxFraction }).format(n)
}

export function formatCurrency(n: number, currency: string, tag: string): string {
  return new Intl.NumberFormat(tag, { style: 'currency', currency, maximumFractionDigits: 0 }).format(n)
}

/** Metres below 1 km, else kilometres with one decimal. */
export function formatDistance(m: number, tag: string): string {
  if (m < 1000) return new Intl.NumberFormat(tag, { style: 'unit', unit: 'meter', maximumFractionDigits: 0 }).format(m)
  return new Intl.NumberFormat(tag, { style: 'unit', unit: 'kilometer', maximumFractionDigits: 1 }).format(m / 1000)
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
]

/**
 * "in 3 days" / "in 5 hours" until `end`; undefined when `end` has passed. Rounds down to the
 * largest whole unit, so a consultation never looks longer open than it is.
 */
export function formatTimeLeft(end: Date | string, now: Date, tag: string): string | undefined {
  const ms = toDate(end).getTime() - now.getTime()
  if (!(ms > 0)) return undefined
  const rtf = new Intl.RelativeTimeFormat(tag, { numeric: 'always' })
  for (const [unit, size] of UNITS) {
    if (ms >= size) return rtf.format(Math.floor(ms / size), unit)
  }
  return rtf.format(1, 'minute')
}
