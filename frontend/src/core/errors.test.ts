import { describe, expect, it } from 'vitest'
import { errorMessage, fieldLabel, type Translate } from './errors'

const catalogue: Record<string, string> = {
  'error.text_too_long': '{field}: at most {max} characters',
  'error.role_required': 'This needs the role {role}.',
  'error.consultation_closed': 'Comments are closed: the proposal is at the {stage} stage.',
  'error.consultation_ended': 'The consultation ended on {date}.',
  'error.conflict': 'That is not possible: {detail}',
  'field.body': 'Comment',
  'field.height_m': 'Height',
  'role.planner': 'pianificatore',
  'role.moderator': 'moderatore',
  'stage.decided': 'Deciso',
}
const translate: Translate = (key, params = {}) => {
  const template = catalogue[key]
  return template === undefined ? undefined : template.replace(/\{(\w+)\}/g, (m, n: string) => (n in params ? String(params[n]) : m))
}

describe('errorMessage', () => {
  it('translates the key with its params, field names and limits', () => {
    const err = { message: 'body: 5001 characters is longer than the limit of 5000', key: 'text_too_long', params: { field: 'body', max: 5000 } }
    expect(errorMessage(err, translate)).toBe('Comment: at most 5000 characters')
  })
  it('translates roles and stages, and formats dates', () => {
    expect(errorMessage({ message: 'needs the role planner or moderator', key: 'role_required', params: { role: ['planner', 'moderator'] } }, translate)).toBe(
      'This needs the role pianificatore / moderatore.',
    )
    expect(errorMessage({ message: 'closed', key: 'consultation_closed', params: { stage: 'decided' } }, translate)).toBe('Comments are closed: the proposal is at the Deciso stage.')
    expect(errorMessage({ message: 'ended', key: 'consultation_ended', params: { date: '2025-05-01' } }, translate, (d) => d.split('-').reverse().join('.'))).toBe(
      'The consultation ended on 01.05.2025.',
    )
  })
  it('keeps the detail in a general sentence and falls back to it for an unknown key', () => {
    expect(errorMessage({ message: 'proposal 3: is decided', key: 'conflict' }, translate)).toBe('That is not possible: proposal 3: is decided')
    expect(errorMessage({ message: 'something new', key: 'not_in_the_catalogue' }, translate)).toBe('something new')
    expect(errorMessage({ message: 'no key' }, translate)).toBe('no key')
    expect(errorMessage('plain', translate)).toBe('plain')
  })
  it('names a nested field by its last name and position', () => {
    expect(fieldLabel('features.2.height_m', translate)).toBe('Height (3)')
    expect(fieldLabel('service_radius_km', translate)).toBe('service radius km')
  })
})
