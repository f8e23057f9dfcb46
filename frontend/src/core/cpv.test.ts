import { describe, expect, it } from 'vitest'
import { rankCpv } from './cpv'

const PETROLEUM = { code: '09000000-3', label: 'Petroleum products, fuel, electricity and other sources of energy' }
const ELECTRICAL = { code: '45310000-3', label: 'Electrical installation work' }
const WIRING = { code: '45311000-0', label: 'Electrical wiring and fitting work' }
const SELECTION = { code: '79600000-0', label: 'Recruitment services (selection)' }

describe('rankCpv', () => {
  it('puts labels that begin with the word first: "electr" is electrical work, not petroleum', () => {
    expect(rankCpv([PETROLEUM, SELECTION, ELECTRICAL, WIRING], 'electr').map((c) => c.code)).toEqual([ELECTRICAL.code, WIRING.code, PETROLEUM.code, SELECTION.code])
  })

  it('puts codes that begin with the digits first', () => {
    expect(rankCpv([PETROLEUM, WIRING, ELECTRICAL], '4531').map((c) => c.code)).toEqual([WIRING.code, ELECTRICAL.code, PETROLEUM.code])
  })

  it('keeps the server order among equals, and for an empty query', () => {
    expect(rankCpv([WIRING, ELECTRICAL], 'ELECTRICAL')).toEqual([WIRING, ELECTRICAL])
    expect(rankCpv([PETROLEUM, ELECTRICAL], '')).toEqual([PETROLEUM, ELECTRICAL])
  })
})
