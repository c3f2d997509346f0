import type { EventDefinition } from '@emporium/contracts'
import type { HandlerContext } from '@emporium/platform'
import type { CommittedChange, NotificationWriter } from '../app/ports.js'

/** What the consumers need, wired by service.ts. */
export interface ConsumerDeps {
  /** The writes, within the consumer's transaction. */
  writerIn(trx: HandlerContext['trx']): NotificationWriter
  /** Hands the change to this replica's streams of the order once the transaction commits. */
  changedAfterCommit(trx: HandlerContext['trx'], change: CommittedChange): void
}

/** The data type of an event definition. */
export type DataOf<E> = E extends EventDefinition<string, infer D> ? D : never
