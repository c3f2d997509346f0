import { audit } from '@emporium/contracts'
import { handler } from '@emporium/platform'
import type { ProjectionsIn } from '../app/ports.js'

/**
 * `audit.recorded`: the staff action appended to the trail; an action on an order (a note, a
 * cancellation, a refund) goes on its timeline too.
 */
export const onAuditRecorded = (deps: { projectionsIn: ProjectionsIn }) =>
  handler(audit.AuditRecorded, {
    adapters: deps.projectionsIn,
    async handle(data, projections, { envelope }) {
      await projections.audit(envelope, data)
      if (data.entity.type === 'order') await projections.recordEvent(envelope, data.entity.id)
    },
  })
