import { describe, expect, it } from 'vitest'
import type { Comment } from '../api'
import { anchorCamera, anchorPoint, applyEvent, childrenOf, flattenComments, heading360, shownInThread, toApiAnchor } from './comments'

const c = (id: number, parent: number | null = null, replies: Comment[] = []): Comment => ({
  id,
  proposal_id: 1,
  parent_id: parent,
  depth: parent ? 2 : 1,
  state: 'published',
  body: `c${id}`,
  author: { id: 9, display_name: 'Ann' },
  sentiment: 'neutral',
  topics: [],
  anchor: null,
  agree_count: 0,
  disagree_count: 0,
  created_at: '2026-01-01T00:00:00Z',
  edited_at: null,
  my_reaction: null,
  replies,
})

describe('comment threads', () => {
  it('flattens nested replies, parents first, and finds children', () => {
    const flat = flattenComments([c(1, null, [c(2, 1, [c(3, 2)])]), c(4)])
    expect(flat.map((x) => x.id)).toEqual([1, 2, 3, 4])
    expect(flat.every((x) => !('replies' in x))).toBe(true)
    expect(childrenOf(flat, null).map((x) => x.id)).toEqual([1, 4])
    expect(childrenOf(flat, 2).map((x) => x.id)).toEqual([3])
  })

  it('applies live events: new, edited (keeping my reaction), hidden, reaction counts', () => {
    const list = flattenComments([c(1)])
    list[0].my_reaction = 'agree'
    expect(applyEvent(list, { proposal_id: 1, type: 'comment_created', comment: c(2, 1) })).toBe('added')
    expect(applyEvent(list, { proposal_id: 1, type: 'comment_created', comment: c(2, 1) })).toBe('updated')
    expect(applyEvent(list, { proposal_id: 1, type: 'comment_edited', comment: { ...c(1), body: 'new' } })).toBe('updated')
    expect(list[0]).toMatchObject({ body: 'new', my_reaction: 'agree' })
    expect(applyEvent(list, { proposal_id: 1, type: 'reaction_counts', comment_id: 1, agree_count: 5, disagree_count: 1 })).toBe('updated')
    expect(list[0]).toMatchObject({ agree_count: 5, disagree_count: 1, my_reaction: 'agree' })
    expect(applyEvent(list, { proposal_id: 1, type: 'comment_hidden', comment_id: 2 })).toBe('updated')
    expect(list[1]).toMatchObject({ id: 2, state: 'hidden', body: null, author: null, anchor: null })
    expect(applyEvent(list, { proposal_id: 1, type: 'comment_deleted', comment_id: 99 })).toBe('ignored')
    expect(list.map((x) => x.id)).toEqual([1, 2])
  })

  it('keeps a hidden or deleted comment in its thread only while a published reply hangs below', () => {
    const hide = (x: Comment): Comment => ({ ...x, state: 'hidden', body: null })
    // 1 (hidden) → 2 (deleted) → 3 (published); 4 (hidden, no replies); 5 (hidden) → 6 (hidden)
    const flat = [hide(c(1)), { ...hide(c(2, 1)), state: 'deleted' as const }, { ...c(3, 2), depth: 3 }, hide(c(4)), hide(c(5)), hide(c(6, 5))]
    expect(shownInThread(flat).map((x) => x.id)).toEqual([1, 2, 3])
    expect(shownInThread([c(7), hide(c(8, 7))]).map((x) => x.id)).toEqual([7])
  })

  it('converts anchors to the API units and back', () => {
    const camera = { position: { lon: -0.1, lat: 51.5, height: 250.123 }, heading: -30, pitch: -45, roll: 359 }
    const a = toApiAnchor({ lon: -0.1, lat: 51.5, height: 12.345 }, camera, 'osm-way-1')
    expect(a).toEqual({
      point: { lon: -0.1, lat: 51.5, height_m: 12.35 },
      building_id: 'osm-way-1',
      camera: { position: { lon: -0.1, lat: 51.5, height_m: 250.12 }, heading_deg: 330, pitch_deg: -45, roll_deg: -1 },
    })
    expect(anchorPoint(a)).toEqual({ lon: -0.1, lat: 51.5, height: 12.35 })
    expect(anchorCamera(a)).toEqual({ position: { lon: -0.1, lat: 51.5, height: 250.12 }, heading: 330, pitch: -45, roll: -1 })
    expect(heading360(720.5)).toBeCloseTo(0.5)
  })
})
