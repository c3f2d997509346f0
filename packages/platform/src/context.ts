import { AsyncLocalStorage } from 'node:async_hooks'

/**
 * What a unit of work (an HTTP request or an event being handled) carries implicitly, so the
 * outbox can stamp events and the HTTP client can pass ids on without threading arguments.
 * Trace context travels separately, through OpenTelemetry's context.
 */
export interface WorkContext {
  /** The request id of the HTTP request, or the event id of the message being handled. */
  requestId: string
  /** The business flow's id (a checkout); new flows start with the request id. */
  correlationId: string
  /** The id of the event being handled, when the work is a message handler. */
  causationId?: string
}

const storage = new AsyncLocalStorage<WorkContext>()

export function runWithContext<T>(context: WorkContext, fn: () => T): T {
  return storage.run(context, fn)
}

export function currentContext(): WorkContext | undefined {
  return storage.getStore()
}
