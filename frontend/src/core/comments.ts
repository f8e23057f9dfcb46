/**
 * Comment threads as the UI keeps them: a flat list by id (the API nests replies under their
 * top-level comment), updated by live events, and anchors converted between the viewer's
 * camera/point types and the API's (`heading_deg` in 0..360, heights in `height_m`).
 *
 * Hidden and deleted comments stay in the list, without their content, as the API lists them:
 * their published replies still belong under them.
 */
import type { Comment, CommentAnchor, Id, ProposalEvent } from '../api'
import type { CameraView, LonLatHeight } from './geo'

/** Every comment of the nested pages, parents before their replies, `replies` dropped. */
export function flattenComments(roots: readonly Comment[]): Comment[] {
  const out: Comment[] = []
  const walk = (c: Comment) => {
    const { replies, ...rest } = c
    out.push(rest)
    for (const r of replies ?? []) walk(r)
  }
  roots.forEach(walk)
  return out
}

export function childrenOf(all: readonly Comment[], parent: Id | null): Comment[] {
  return all.filter((c) => (c.parent_id ?? null) === parent)
}

/**
 * The comments a thread shows: the published ones, and a hidden or deleted one only while a
 * published reply hangs below it (shown as a placeholder, so the replies keep their place).
 */
export function shownInThread(all: readonly Comment[]): Comment[] {
  const keep = new Set<Id>()
  const byId = new Map(all.map((c) => [c.id, c]))
  for (const c of all) {
    if (c.state !== 'published') continue
    // the comment and every ancestor up the thread (depth is at most 3, the guard is for cycles)
    let cur: Comment | undefined = c
    for (let hops = 0; cur && !keep.has(cur.id) && hops < 16; hops++) {
      keep.add(cur.id)
      cur = cur.parent_id != null ? byId.get(cur.parent_id) : undefined
    }
  }
  return all.filter((c) => keep.has(c.id))
}

export type EventOutcome = 'added' | 'updated' | 'ignored'

/**
 * Apply one live event to `list` in place. A hidden or deleted comment keeps its place but
 * loses its content (what the API lists for it); `reaction_counts` keeps the caller's own
 * `my_reaction`.
 */
export function applyEvent(list: Comment[], ev: ProposalEvent): EventOutcome {
  const index = (id: Id) => list.findIndex((c) => c.id === id)
  switch (ev.type) {
    case 'comment_created':
    case 'comment_edited':
    case 'comment_restored': {
      const { replies: _replies, ...c } = ev.comment
      const i = index(c.id)
      if (i >= 0) {
        list[i] = { ...c, my_reaction: list[i].my_reaction }
        return 'updated'
      }
      list.push(c)
      return 'added'
    }
    case 'comment_hidden':
    case 'comment_deleted': {
      const i = index(ev.comment_id)
      if (i < 0) return 'ignored'
      list[i] = {
        ...list[i],
        state: ev.type === 'comment_hidden' ? 'hidden' : 'deleted',
        body: null,
        author: null,
        sentiment: null,
        topics: [],
        anchor: null,
        my_reaction: null,
      }
      return 'updated'
    }
    case 'reaction_counts': {
      const i = index(ev.comment_id)
      if (i < 0) return 'ignored'
      list[i] = { ...list[i], agree_count: ev.agree_count, disagree_count: ev.disagree_count }
      return 'updated'
    }
    default:
      return 'ignored'
  }
}

/** Degrees into [0, 360). */
export function heading360(deg: number): number {
  const h = deg % 360
  return h < 0 ? h + 360 : h
}

/** Degrees into [-180, 180]. */
export function signedDeg(deg: number): number {
  const d = heading360(deg)
  return d > 180 ? d - 360 : d
}

export function toApiAnchor(point: LonLatHeight | undefined, camera: CameraView | undefined, buildingId?: string | null): CommentAnchor {
  return {
    point: point ? { lon: point.lon, lat: point.lat, height_m: round(point.height, 2) } : null,
    building_id: buildingId || null,
    camera: camera
      ? {
          position: { lon: camera.position.lon, lat: camera.position.lat, height_m: round(camera.position.height, 2) },
          heading_deg: round(heading360(camera.heading), 3),
          pitch_deg: round(Math.max(-90, Math.min(90, camera.pitch)), 3),
          roll_deg: round(signedDeg(camera.roll), 3),
        }
      : null,
  }
}

export function anchorPoint(a: CommentAnchor | null | undefined): LonLatHeight | undefined {
  const p = a?.point
  return p ? { lon: p.lon, lat: p.lat, height: p.height_m ?? 0 } : undefined
}

export function anchorCamera(a: CommentAnchor | null | undefined): CameraView | undefined {
  const c = a?.camera
  if (!c) return undefined
  return {
    position: { lon: c.position.lon, lat: c.position.lat, height: c.position.height_m },
    heading: c.heading_deg ?? 0,
    pitch: c.pitch_deg ?? -30,
    roll: c.roll_deg ?? 0,
  }
}

function round(v: number, digits: number): number {
  const f = 10 ** digits
  return Math.round(v * f) / f
}
