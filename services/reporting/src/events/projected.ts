import type { EventDefinition } from '@emporium/contracts'
import { onEach, type BatchedEvent, type EventHandler } from '@emporium/platform'
import type { Projections, ProjectionsIn } from '../app/ports.js'

/**
 * The handler of `event`: `project` writes a run of its deliveries, in delivery order, through
 * the projections bound to the consumer's transaction. The batch consumer hands over each run
 * of consecutive deliveries of one type at once (`handleMany`, one statement for the run); a
 * delivery applied alone (the in-process bus, a batch's fallback) is a run of one.
 */
export function projected<D>(
  event: EventDefinition<string, D>,
  deps: { projectionsIn: ProjectionsIn },
  project: (run: ReadonlyArray<BatchedEvent<D>>, projections: Projections) => Promise<void>,
): EventHandler<D> {
  return onEach(event, (run, { trx }) => project(run, deps.projectionsIn(trx)))
}
