/**
 * Ways an upstream call fails that count against the upstream (its circuit breaker and the
 * instance's health). A client that goes away, a body too large or a bad path do not.
 */
export class UpstreamFault extends Error {
  constructor(
    readonly upstream: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options)
    this.name = new.target.name
  }
}

/** No connection could be made (refused, unreachable, DNS, connect timeout): nothing was sent. */
export class ConnectFault extends UpstreamFault {}

/** The connection broke after the request may have been sent. */
export class SocketFault extends UpstreamFault {}

/** No answer (headers) within the deadline. */
export class TimeoutFault extends UpstreamFault {}

/**
 * A 502, 503 or 504 answer (the upstream cannot serve now); the response (not yet read) goes
 * with it, to be passed on or replaced. Any other 5xx is an answer, not a fault.
 */
export class ServerFault<R> extends UpstreamFault {
  constructor(
    upstream: string,
    readonly response: R,
    readonly status: number,
  ) {
    super(upstream, `${upstream} answered ${status}`)
  }
}

/** The client went away before the upstream answered. */
export class ClientGone extends Error {
  constructor() {
    super('the client closed the connection')
    this.name = 'ClientGone'
  }
}
