import { describe, expect, it } from 'vitest'
import { linkToken } from './account'

describe('mailed links', () => {
  it('reads the token of a verify or reset link from the hash', () => {
    expect(linkToken('#verify=x4Jc0v9Lr7mT2bWkP8sYd4NfH6gC1zEaRuK5oV_iMwQ', 'verify')).toBe('x4Jc0v9Lr7mT2bWkP8sYd4NfH6gC1zEaRuK5oV_iMwQ')
    expect(linkToken('reset=abcdefghij-_0123', 'reset')).toBe('abcdefghij-_0123')
    expect(linkToken('#verify=abcdefghijklmno', 'reset')).toBeUndefined()
  })

  it('ignores anything that is not a token', () => {
    expect(linkToken('#verify=short', 'verify')).toBeUndefined()
    expect(linkToken('#verify=<script>alert(1)</script>', 'verify')).toBeUndefined()
    expect(linkToken('#proposal=12', 'verify')).toBeUndefined()
    expect(linkToken('', 'reset')).toBeUndefined()
  })
})
