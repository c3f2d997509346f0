import { describe, expect, it } from 'vitest'
import { staffInvitationMessage, Template } from './message-templates.js'

describe('the staff invitation message (issue 19)', () => {
  it('carries the link, the role and its expiry', () => {
    const message = staffInvitationMessage({
      acceptUrl: 'https://shop.example/staff/accept#token=abc',
      expiresAt: '2030-01-08T00:00:00.000Z',
      role: 'catalog_manager',
      invitedBy: 'Olive',
    })
    expect(message.template).toBe(Template.staffInvitation)
    expect(message.text).toContain('https://shop.example/staff/accept#token=abc')
    expect(message.text).toContain('Olive invited you')
    expect(message.text).toContain('as catalog manager')
    expect(message.text).toContain('2030-01-08T00:00:00.000Z')
    // Fits the messages table's template column.
    expect(message.template.length).toBeLessThanOrEqual(32)
  })
})
