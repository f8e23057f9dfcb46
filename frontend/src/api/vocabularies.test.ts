import { describe, expect, it } from 'vitest'
import { everyOf, REPORT_REASONS, SENTIMENTS, STAGES, TOPICS } from './types'
import { PROPOSAL_EVENT_TYPES } from '.'

describe('the vocabularies are the backend’s', () => {
  it('everyOf refuses a list that misses a member or has an unknown one (tsc)', () => {
    // @ts-expect-error 'b' is missing
    everyOf<'a' | 'b'>()(['a'])
    // @ts-expect-error 'c' is not a member
    everyOf<'a' | 'b'>()(['a', 'b', 'c'])
    expect(everyOf<'a' | 'b'>()(['b', 'a'])).toEqual(['b', 'a'])
  })

  it('the lists have each value once', () => {
    for (const list of [STAGES, SENTIMENTS, TOPICS, REPORT_REASONS, PROPOSAL_EVENT_TYPES]) expect(new Set(list).size).toBe(list.length)
  })

})
