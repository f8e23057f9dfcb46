import { describe, expect, it } from 'vitest'
import { decodeDeepLink, encodeDeepLink } from './deeplink'

const camera = { position: { lon: -0.1276, lat: 51.5072, height: 420.25 }, heading: 15, pitch: -35, roll: 0 }

describe('deep links', () => {
  it('round-trips camera, proposal and comment', () => {
    const hash = encodeDeepLink({ camera, proposalId: '12', commentId: 'abc-34' })
    expect(hash).toBe('cam=-0.127600,51.507200,420.3,15.0,-35.0,0.0&proposal=12&comment=abc-34')
    const back = decodeDeepLink(`#${hash}`)
    expect(back.proposalId).toBe('12')
    expect(back.commentId).toBe('abc-34')
    expect(back.camera?.position.lon).toBeCloseTo(-0.1276, 6)
    expect(back.camera?.position.height).toBeCloseTo(420.3, 1)
    expect(back.camera?.pitch).toBe(-35)
  })

  it('normalises heading into [0, 360)', () => {
    expect(decodeDeepLink(encodeDeepLink({ camera: { ...camera, heading: -90 } })).camera?.heading).toBe(270)
    expect(decodeDeepLink('cam=0,0,100,725,-10,0').camera?.heading).toBe(5)
  })

  it('ignores malformed or out-of-range parts instead of throwing', () => {
    expect(decodeDeepLink('#cam=1,2,3')).toEqual({})
    expect(decodeDeepLink('#cam=200,0,100,0,0,0')).toEqual({})
    expect(decodeDeepLink('#cam=0,95,100,0,0,0')).toEqual({})
    expect(decodeDeepLink('#cam=a,b,c,d,e,f')).toEqual({})
    expect(decodeDeepLink('#proposal=<script>&comment=')).toEqual({})
    expect(decodeDeepLink('')).toEqual({})
  })

  it('leaves out what is not selected', () => {
    expect(encodeDeepLink({ proposalId: '7' })).toBe('proposal=7')
    expect(encodeDeepLink({})).toBe('')
  })
})
