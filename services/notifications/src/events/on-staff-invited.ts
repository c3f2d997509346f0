import { users } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ConsumerPortsIn } from '../app/ports.js'
import { staffInvitationMessage } from '../domain/message-templates.js'

/**
 * `staff.invited` (issue 19): the single-use link to join the staff goes to the invited address
 * (the users service's `/staff/invitations`; no account exists yet: the message is filed
 * under the invitation).
 */
export function onStaffInvited(deps: { portsIn: ConsumerPortsIn }) {
  return handler(users.StaffInvited, {
    adapters: deps.portsIn,
    async handle(data, { writer }, { envelope }) {
      await writer.enqueue({
        ...staffInvitationMessage(data),
        eventId: envelope.id,
        userId: `invitation:${data.invitationId}`,
        orderId: null,
        to: data.email,
      })
    },
  })
}
