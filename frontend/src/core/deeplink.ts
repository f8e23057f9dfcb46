/**
 * Deep links: the URL hash holds the camera, the selected proposal and the selected comment,
 * e.g. `#cam=-0.127600,51.507200,420.0,15.0,-35.0,0.0&proposal=12&comment=34`.
 * Angles are degrees; lon/lat are rounded to 6 decimals (~0.1 m), which keeps links short.
 */
import type { CameraView } from './geo'

export interface DeepLinkState {
  camera?: CameraView
  proposalId?: string
  commentId?: string
}

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/

export function encodeDeepLink(state: DeepLinkState): string {
  const parts: string[] = []
  if (state.camera) {
    const { position: p, heading, pitch, roll } = state.camera
    const nums = [
      p.lon.toFixed(6),
      p.lat.toFixed(6),
      p.height.toFixed(1),
      normaliseHeading(heading).toFixed(1),
      pitch.toFixed(1),
      roll.toFixed(1),
    ]
    parts.push(`cam=${nums.join(',')}`)
  }
  if (state.proposalId && ID_PATTERN.test(state.proposalId)) parts.push(`proposal=${state.proposalId}`)
  if (state.commentId && ID_PATTERN.test(state.commentId)) parts.push(`comment=${state.commentId}`)
  return parts.join('&')
}

/** Parse a hash (with or without the leading '#'); invalid parts are ignored, never thrown. */
export function decodeDeepLink(hash: string): DeepLinkState {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const state: DeepLinkState = {}
  const cam = params.get('cam')
  if (cam) {
    const nums = cam.split(',').map(Number)
    if (nums.length === 6 && nums.every(Number.isFinite)) {
      const [lon, lat, height, heading, pitch, roll] = nums
      if (Math.abs(lon) <= 180 && Math.abs(lat) <= 90 && height > -500 && height < 50_000_000 && Math.abs(pitch) <= 90) {
        state.camera = { position: { lon, lat, height }, heading: normaliseHeading(heading), pitch, roll }
      }
    }
  }
  const proposal = params.get('proposal')
  if (proposal && ID_PATTERN.test(proposal)) state.proposalId = proposal
  const comment = params.get('comment')
  if (comment && ID_PATTERN.test(comment)) state.commentId = comment
  return state
}

function normaliseHeading(deg: number): number {
  const h = deg % 360
  return h < 0 ? h + 360 : h
}
