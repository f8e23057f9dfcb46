/**
 * Chart geometry for the analytics view, engine- and DOM-free so it is unit tested: the UI turns
 * these numbers into plain SVG (no chart library: two small charts do not earn one).
 */
import type { ProposalAnalytics, Sentiment, Topic } from '../api'
import { SENTIMENTS, TOPICS } from '../api'

export type SentimentRow = { topic: string; counts: Record<Sentiment, number>; total: number }

/** Rows per topic (known topics in their order, unknown ones after), each with all sentiments. */
export function sentimentByTopic(a: Pick<ProposalAnalytics, 'by_sentiment_topic'>): SentimentRow[] {
  const rows = new Map<string, SentimentRow>()
  for (const { topic, sentiment, count } of a.by_sentiment_topic) {
    let row = rows.get(topic)
    if (!row) {
      row = { topic, counts: { objection: 0, neutral: 0, supportive: 0 }, total: 0 }
      rows.set(topic, row)
    }
    if ((SENTIMENTS as readonly string[]).includes(sentiment)) row.counts[sentiment as Sentiment] += count
    row.total += count
  }
  const order = (t: string) => {
    const i = (TOPICS as readonly string[]).indexOf(t as Topic)
    return i < 0 ? TOPICS.length : i
  }
  return [...rows.values()].sort((x, y) => order(x.topic) - order(y.topic) || x.topic.localeCompare(y.topic))
}

/** Stacked horizontal bar segments: x and width in 0..1 of the largest row's total. */
export function stackSegments(row: SentimentRow, max: number): { sentiment: Sentiment; x: number; width: number; count: number }[] {
  const out = []
  let x = 0
  for (const s of SENTIMENTS) {
    const width = max > 0 ? row.counts[s] / max : 0
    if (row.counts[s] > 0) out.push({ sentiment: s, x, width, count: row.counts[s] })
    x += width
  }
  return out
}

/** Daily counts with the days between the first and last filled in with zeros (UTC dates). */
export function dailySeries(days: ProposalAnalytics['over_time']): { day: string; count: number }[] {
  if (days.length === 0) return []
  const byDay = new Map(days.map((d) => [d.day.slice(0, 10), d.count]))
  const sorted = [...byDay.keys()].sort()
  const out = []
  const end = Date.parse(`${sorted[sorted.length - 1]}T00:00:00Z`)
  for (let t = Date.parse(`${sorted[0]}T00:00:00Z`); t <= end && out.length < 1000; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10)
    out.push({ day, count: byDay.get(day) ?? 0 })
  }
  return out
}

/** A "nice" axis maximum (1, 2, 5 × 10^n) at or above `v`. */
export function niceMax(v: number): number {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 2, 5, 10]) if (m * p >= v) return m * p
  return 10 * p
}

/**
 * The width (in SVG units) the label column needs for `labels` at `fontSize`, so long words
 * ("Megközelíthetőség", "Tillgänglighet") are not cut at the chart's edge. Glyphs are taken as
 * 0.62 em wide on average (wide enough for the sans-serif UI font and accented capitals), plus a
 * small gap; bounded to [min, max] so the bars keep room.
 */
export function labelColumnWidth(labels: readonly string[], fontSize: number, min = 60, max = 160): number {
  const longest = Math.max(0, ...labels.map((l) => [...l].length))
  return Math.round(Math.min(max, Math.max(min, longest * fontSize * 0.62 + 8)))
}
