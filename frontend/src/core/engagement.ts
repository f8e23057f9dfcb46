/**
 * Pure logic of the participation loop's UI: turning a questionnaire form's values into the
 * API's answers (with the first problem named), shares for result bars, and the notification
 * kinds in the order the preferences list shows them.
 */

export const NOTIFICATION_KINDS = ['new_proposal', 'stage_change', 'new_document', 'reply', 'official_response', 'closing_soon'] as const
export const FREQUENCIES = ['immediate', 'daily', 'weekly', 'off'] as const
export const DISPOSITIONS = ['noted', 'scheme_changed', 'not_taken_forward'] as const

export interface QuestionLike {
  id: number
  kind: 'single' | 'multiple' | 'rating' | 'text' | 'point'
  required: boolean
  rating_max: number
}

/** What the form holds per question: chosen option indices, a rating, a text, a point. */
export interface FormValue {
  choices?: number[]
  rating?: number
  text?: string
  point?: [number, number]
}

export interface AnswerOut {
  question_id: number
  choices?: number[]
  rating?: number
  text?: string
  point?: { type: 'Point'; coordinates: [number, number] }
}

export type FormProblem = { questionId: number; problem: 'required' | 'rating' }

/** The answers to send, or the first question that needs attention. */
export function toAnswers(questions: QuestionLike[], values: Record<number, FormValue>): AnswerOut[] | FormProblem {
  const out: AnswerOut[] = []
  for (const q of questions) {
    const v = values[q.id] ?? {}
    let answer: AnswerOut | undefined
    if ((q.kind === 'single' || q.kind === 'multiple') && v.choices && v.choices.length) {
      answer = { question_id: q.id, choices: [...v.choices].sort((a, b) => a - b) }
    } else if (q.kind === 'rating' && v.rating !== undefined) {
      if (!Number.isInteger(v.rating) || v.rating < 1 || v.rating > q.rating_max) return { questionId: q.id, problem: 'rating' }
      answer = { question_id: q.id, rating: v.rating }
    } else if (q.kind === 'text' && v.text && v.text.trim()) {
      answer = { question_id: q.id, text: v.text.trim() }
    } else if (q.kind === 'point' && v.point) {
      answer = { question_id: q.id, point: { type: 'Point', coordinates: v.point } }
    }
    if (answer) out.push(answer)
    else if (q.required) return { questionId: q.id, problem: 'required' }
  }
  return out
}

/** Whole-percent shares of ``counts`` (0 when there is nothing). */
export function shares(counts: number[]): number[] {
  const total = counts.reduce((a, b) => a + b, 0)
  return counts.map((n) => (total ? Math.round((100 * n) / total) : 0))
}

/** A rough centre of a GeoJSON Polygon/MultiPolygon (the mean of its outer ring's corners). */
export function centreOf(geometry: { type: string; coordinates: unknown } | null | undefined): [number, number] | undefined {
  if (!geometry) return undefined
  const rings = geometry.type === 'MultiPolygon' ? (geometry.coordinates as number[][][][])[0] : (geometry.coordinates as number[][][])
  const ring = rings?.[0]
  if (!ring || ring.length < 2) return undefined
  const pts = ring.slice(0, -1)
  const lon = pts.reduce((a, c) => a + c[0], 0) / pts.length
  const lat = pts.reduce((a, c) => a + c[1], 0) / pts.length
  return [Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6]
}
