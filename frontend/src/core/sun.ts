/**
 * Sun-study clock: wall-clock times read in the SITE's time zone (an IANA name from the
 * deployment's configuration), never the visitor's. "15:00 on 21 December" in London is the same
 * instant for a visitor in Tallinn or New York.
 */

/** A wall-clock moment in some time zone: date and minutes after local midnight. */
export interface SiteTime {
  year: number
  /** 1-12 */
  month: number
  day: number
  /** 0..1439 */
  minutes: number
}

/** The dates planners use for sun studies (BRE 209: the equinox and both solstices). */
export const SUN_DATE_PRESETS = [
  { key: 'march', month: 3, day: 21 },
  { key: 'june', month: 6, day: 21 },
  { key: 'december', month: 12, day: 21 },
] as const

/** Times of day offered as presets, in minutes after midnight. */
export const SUN_TIME_PRESETS = [9 * 60, 12 * 60, 15 * 60] as const

/** The day animation's step (minutes of sun time per frame of the animation). */
export const ANIMATION_STEP_MINUTES = 10

const formatters = new Map<string, Intl.DateTimeFormat>()

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
    formatters.set(timeZone, f)
  }
  return f
}

/** Is `timeZone` an IANA zone this browser knows? */
export function isTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone)
    return true
  } catch {
    return false
  }
}

/** The wall clock of `timeZone` at instant `date`. */
export function siteTimeAt(date: Date, timeZone: string): SiteTime {
  const parts = Object.fromEntries(formatter(timeZone).formatToParts(date).map((p) => [p.type, p.value]))
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  }
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (London in summer: +3,600,000). */
function offsetMs(ms: number, timeZone: string): number {
  const t = siteTimeAt(new Date(ms), timeZone)
  const seconds = new Date(ms).getUTCSeconds()
  const wall = Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes, seconds)
  return wall - (ms - (ms % 1000))
}

/**
 * The instant at which the wall clock of `timeZone` shows `t`. In the hour skipped when clocks go
 * forward the later offset is used (02:30 → 03:30); in the repeated hour, the first of the two.
 */
export function instantOf(t: SiteTime, timeZone: string): Date {
  const guess = Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes)
  const first = offsetMs(guess, timeZone)
  const candidate = guess - first
  const second = offsetMs(candidate, timeZone)
  if (second === first) {
    // the repeated hour: an hour earlier may show the same wall time
    const earlier = guess - offsetMs(candidate - 3_600_000, timeZone)
    const e = siteTimeAt(new Date(earlier), timeZone)
    if (earlier < candidate && e.minutes === t.minutes && e.day === t.day) return new Date(earlier)
    return new Date(candidate)
  }
  return new Date(guess - second)
}

/** `HH:MM` of minutes after midnight. */
export function clockText(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`
}

/** `YYYY-MM-DD` of a site date (the value of an `<input type=date>`). */
export function dateValue(t: SiteTime): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${t.year}-${pad(t.month)}-${pad(t.day)}`
}

/** Parse an `<input type=date>` value; undefined when it is not a real date. */
export function parseDateValue(value: string): Pick<SiteTime, 'year' | 'month' | 'day'> | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!m) return undefined
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const d = new Date(Date.UTC(year, month - 1, day))
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return undefined
  return { year, month, day }
}

/** The next frame of the day animation; undefined once the day is over. */
export function nextAnimationMinutes(minutes: number, step = ANIMATION_STEP_MINUTES): number | undefined {
  const next = minutes + step
  return next < 24 * 60 ? next : undefined
}

/**
 * Is this WebGL renderer string a software rasteriser (no GPU)? SwiftShader (Chrome's fallback,
 * also "ANGLE (Google, Vulkan ... (SwiftShader Device ...))"), Mesa's llvmpipe/softpipe, and
 * Windows' "Microsoft Basic Render Driver".
 */
export function isSoftwareRenderer(renderer: string | undefined): boolean {
  return !!renderer && /swiftshader|llvmpipe|softpipe|software rasterizer|basic render driver/i.test(renderer)
}
