import type pg from 'pg'

/** What `Database.listen` was told to do; `close` ends it (no reconnection after). */
export interface Listening {
  close(): Promise<void>
}

export interface ListenOptions {
  /** The channel of `LISTEN`/`pg_notify` (an identifier: letters, digits and `_`). */
  channel: string
  /** Each notification's payload, as it comes (PostgreSQL delivers them at the writer's commit). */
  onNotification(payload: string): void
  /**
   * Told `true` once `LISTEN` holds, and again after each reconnection; `false` when the
   * connection is lost. Notifications sent while it was lost are not delivered: a caller that
   * must not miss a change looks for itself on `true` (and keeps looking, slower, meanwhile).
   */
  onListening?(listening: boolean): void
  /** Wait before a new connection after a failed or lost one (default 1 s, doubling to 10 s). */
  retryMs?: number
}

/**
 * `LISTEN channel` on a connection of its own (outside the pool: it stays open for the process's
 * life), connected again after it is lost (a restart, a failover, `pg_terminate_backend`), with
 * a growing wait. Behind a pooler in transaction mode `LISTEN` succeeds but nothing is ever
 * delivered: a caller keeps a slow look of its own for that case too.
 */
export function listenOn(
  Client: typeof pg.Client,
  config: pg.ClientConfig,
  options: ListenOptions,
): Listening {
  if (!/^[a-z_][a-z0-9_]*$/.test(options.channel))
    throw new Error(`not a channel name: ${options.channel}`)
  const firstRetryMs = options.retryMs ?? 1_000
  let retryMs = firstRetryMs
  let closed = false
  let current: pg.Client | undefined
  let timer: ReturnType<typeof setTimeout> | undefined

  const connect = async () => {
    timer = undefined
    const client = new Client(config)
    let gone = false
    const lost = () => {
      if (gone) return
      gone = true
      if (current === client) {
        current = undefined
        options.onListening?.(false)
      }
      client.end().catch(() => undefined)
      if (closed) return
      timer = setTimeout(() => void connect(), retryMs)
      timer.unref()
      retryMs = Math.min(retryMs * 2, 10_000)
    }
    client.on('error', lost)
    client.on('end', lost)
    client.on('notification', (message) => {
      if (message.channel === options.channel) options.onNotification(message.payload ?? '')
    })
    try {
      await client.connect()
      await client.query(`listen ${options.channel}`)
    } catch {
      lost()
      return
    }
    if (gone) return
    if (closed) {
      gone = true
      await client.end().catch(() => undefined)
      return
    }
    current = client
    retryMs = firstRetryMs
    options.onListening?.(true)
  }
  void connect()

  return {
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      const client = current
      current = undefined
      await client?.end().catch(() => undefined)
    },
  }
}
