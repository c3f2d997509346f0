import { audit } from '@emporium/contracts'
import type { ProjectionsIn } from '../app/ports.js'
import { projected } from './projected.js'

/**
 * `audit.recorded`: the staff action appended to the trail; an action on an order (a note, a
 * cancellation, a refund) goes on its timeline too.
 */
export const onAuditRecorded = (deps: { projectionsIn: ProjectionsIn }) =>
  projected(audit.AuditRecorded, deps, (run, projections) =>
    projections.audit(
      run.map(({ data, envelope }) => ({
        envelope,
        fact: data,
        orderId: data.entity.type === 'order' ? data.entity.id : null,
      })),
    ),
  )
