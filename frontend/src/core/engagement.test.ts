import { describe, expect, it } from 'vitest'
import { shares, toAnswers, type QuestionLike } from './engagement'

const qs: QuestionLike[] = [
  { id: 1, kind: 'single', required: true, rating_max: 5 },
  { id: 2, kind: 'rating', required: false, rating_max: 5 },
  { id: 3, kind: 'text', required: false, rating_max: 5 },
  { id: 4, kind: 'point', required: false, rating_max: 5 },
]

describe('toAnswers', () => {
  it('names the first required question left empty', () => {
    expect(toAnswers(qs, {})).toEqual({ questionId: 1, problem: 'required' })
  })
  it('keeps only what was answered, trimmed, in the API shape', () => {
    expect(toAnswers(qs, { 1: { choices: [1] }, 3: { text: '  benches ' }, 4: { point: [-0.09, 51.5] } })).toEqual([
      { question_id: 1, choices: [1] },
      { question_id: 3, text: 'benches' },
      { question_id: 4, point: { type: 'Point', coordinates: [-0.09, 51.5] } },
    ])
  })
  it('refuses a rating out of range', () => {
    expect(toAnswers(qs, { 1: { choices: [0] }, 2: { rating: 9 } })).toEqual({ questionId: 2, problem: 'rating' })
  })
})

describe('shares', () => {
  it('is whole percentages, zero for nothing', () => {
    expect(shares([1, 3])).toEqual([25, 75])
    expect(shares([0, 0])).toEqual([0, 0])
  })
})
