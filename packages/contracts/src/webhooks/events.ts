import Type from 'typebox'
import { defineEvent } from '../events.js'

/* Events published by the webhooks service (issue 21). */

/**
 * An endpoint failed continuously for longer than the limit (WEBHOOKS_DISABLE_AFTER_HOURS) and
 * was disabled: its owner is to be told (the notifications service may consume it).
 */
export const EndpointDisabled = defineEvent(
  'webhook.endpoint-disabled',
  1,
  Type.Object({
    endpointId: Type.String({ minLength: 1 }),
    url: Type.String({ minLength: 1 }),
    /** Who registered it (a staff member's user id). */
    createdBy: Type.String({ minLength: 1 }),
    failingSince: Type.String({ format: 'date-time' }),
    at: Type.String({ format: 'date-time' }),
  }),
)
