import Type from 'typebox'
import Value from 'typebox/value'

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`)
    this.name = 'ConfigError'
  }
}

/**
 * Validates environment variables against a schema of them, once, at start. Keys of the schema
 * are the variable names; numbers and booleans are converted from their text; defaults apply.
 * Throws a ConfigError naming every missing or bad variable. Values already typed (a config
 * built in code, as the embedded mode and tests do) pass through the same checks.
 */
export function loadConfig<S extends Type.TObject>(
  schema: S,
  env: Record<string, unknown> = process.env,
): Type.Static<S> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const withDefaults = Value.Default(schema, raw)
  const converted = Value.Convert(schema, withDefaults)
  if (Value.Check(schema, converted)) return converted as Type.Static<S>
  // Checked variable by variable so that every bad one is named, each with one message.
  const problems: string[] = []
  const values = converted as Record<string, unknown>
  const required = new Set(schema.required ?? [])
  for (const [name, property] of Object.entries(schema.properties) as [string, Type.TSchema][]) {
    if (values[name] === undefined) {
      if (required.has(name)) problems.push(`${name} is required but not set`)
      continue
    }
    if (Value.Check(property, values[name])) continue
    problems.push(
      `${name} ${describe(property)} (got ${JSON.stringify(redactValue(name, String(env[name] ?? '')))})`,
    )
  }
  throw new ConfigError(problems)
}

/** For `main.ts`: a bad configuration stops the process with a message naming the variable. */
export function loadConfigOrExit<S extends Type.TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Type.Static<S> {
  try {
    return loadConfig(schema, env)
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`)
      process.exit(78) // EX_CONFIG
    }
    throw error
  }
}

function describe(schema: Type.TSchema): string {
  const s = schema as Record<string, unknown>
  const options = (s.anyOf as Array<{ const?: unknown }> | undefined)?.map((o) => o.const)
  if (options?.every((o) => o !== undefined)) return `must be one of ${options.join(', ')}`
  const range = [
    s.minimum !== undefined && `>= ${s.minimum}`,
    s.maximum !== undefined && `<= ${s.maximum}`,
  ]
    .filter(Boolean)
    .join(' and ')
  if (s.type === 'integer') return `must be an integer${range ? ` ${range}` : ''}`
  if (s.type === 'number') return `must be a number${range ? ` ${range}` : ''}`
  if (s.type === 'boolean') return 'must be true or false'
  if (s.pattern) return `must match ${String(s.pattern)}`
  return 'is not valid'
}

function redactValue(name: string, value: string): string {
  if (/SECRET|PASSWORD|KEY|TOKEN|_URL/i.test(name)) return '[redacted]'
  // Any other value may hold a URL with credentials (NOTIFICATIONS_SENDER=smtp://user:pass@…).
  return value.replace(/(\/\/[^/@\s:]*:)[^@\s]*@/g, '$1[redacted]@')
}

/** Shared variables, not prefixed: every service that talks to the broker reads these. */
export const SharedConfig = {
  LOG_LEVEL: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    { default: 'info' },
  ),
  /**
   * `pretty` (one readable, coloured line per entry) or `json` (one object per line, for a log
   * collector). Unset (the default): pretty when stdout is a terminal, JSON when it is not.
   */
  LOG_FORMAT: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('pretty')])),
  /**
   * The event bus's broker: `amqp://user:pass@host:5672/vhost` (RabbitMQ), `nats://host:4222`
   * (NATS JetStream), or `memory` for the in-process bus. See docs/messaging.md, "Choosing a
   * broker".
   */
  RABBITMQ_URL: Type.String({ default: 'memory', pattern: '^(memory|(amqps?|nats)://.+)$' }),
  /**
   * Unacked deliveries the broker (RabbitMQ or NATS) hands each consumer ahead of time; a
   * consumer applies them in batches, in order. Default 100.
   */
  RABBITMQ_PREFETCH: Type.Integer({ minimum: 1, maximum: 10_000, default: 100 }),
  /** Most deliveries a consumer applies in one database transaction. Default 50. */
  RABBITMQ_MAX_BATCH: Type.Integer({ minimum: 1, maximum: 1_000, default: 50 }),
  /**
   * Milliseconds a consumer waits for more deliveries after the first of a batch arrived while
   * it was idle, so that a moderate rate still fills batches (fewer database transactions per
   * event). 0 (the default) waits for none; services whose consumers' effects nobody waits for
   * (reporting, webhooks, shipping, notifications) default to more.
   */
  RABBITMQ_BATCH_LINGER_MS: Type.Integer({ minimum: 0, maximum: 5_000, default: 0 }),
  /**
   * The list of revoked access tokens (logout, password change, admin revoked) that every
   * verifier checks: `redis://host:6379/0` when the services run as separate processes (every
   * process must name the same one), `memory` (the default) for one process (the embedded mode).
   */
  REVOCATIONS_URL: Type.String({ default: 'memory', pattern: '^(memory$|rediss?://)' }),
  /**
   * PostgreSQL: statements with parameters go as named (prepared) statements, parsed and planned
   * once per connection (the default). `false` for a connection pooler that cannot keep them
   * (PgBouncer in transaction mode before 1.21, or without `max_prepared_statements`).
   */
  DATABASE_NAMED_STATEMENTS: Type.Boolean({ default: true }),
  /**
   * PostgreSQL: a transaction's `begin` is kept until its first statement and written with it on
   * a pipelined connection, one round trip less per transaction (the default). `false` sends
   * `begin` on its own, waiting for its answer, as before.
   */
  DATABASE_DEFER_BEGIN: Type.Boolean({ default: true }),
  /** Seconds to finish in-flight work after SIGTERM before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: Type.Number({ minimum: 1, maximum: 600, default: 20 }),
  /**
   * Fault injection, for the chaos runner (`npm run chaos`): every HTTP request to this process
   * (bar `/healthz`, `/readyz`, `/metrics`) waits this many milliseconds before it is handled, as
   * if the service or its network were slow. 0 (the default) is off; never set it in production.
   */
  EXTRA_LATENCY_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 0 }),
  /** With EXTRA_LATENCY_MS: up to this many more milliseconds per request, at random. Default 0. */
  EXTRA_LATENCY_JITTER_MS: Type.Integer({ minimum: 0, maximum: 60_000, default: 0 }),
  /**
   * Fault injection switched while the process runs: a JSON file `{"ms": 300, "jitterMs": 200}`
   * read every second; while it exists it replaces EXTRA_LATENCY_MS and EXTRA_LATENCY_JITTER_MS.
   * Empty (the default): none.
   */
  EXTRA_LATENCY_FILE: Type.String({ default: '' }),
  /**
   * `otlp` (the default once an OTLP endpoint is set) or `none`: spans are exported only when an
   * endpoint is set and this is not `none`. Trace ids are carried and logged either way.
   */
  OTEL_TRACES_EXPORTER: Type.Optional(Type.Union([Type.Literal('otlp'), Type.Literal('none')])),
  /**
   * Base URL of an OTLP/HTTP collector (`http://otel-collector:4318`): spans go to its
   * `/v1/traces`. Unset (the default): no export.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  /** The full URL spans are posted to, used as given; takes precedence over the endpoint above. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: Type.Optional(Type.String({ pattern: '^https?://' })),
  /**
   * `http/json` (what is sent) or `http/protobuf` (accepted, and sent as JSON too: the collector's
   * OTLP/HTTP receiver reads both). gRPC is not supported.
   */
  OTEL_EXPORTER_OTLP_PROTOCOL: Type.Optional(
    Type.Union([Type.Literal('http/json'), Type.Literal('http/protobuf')]),
  ),
  /**
   * The `service.name` of the spans a standalone service exports; its own name by default. The
   * embedded mode names each service's spans after the service, and this only spans of none.
   */
  OTEL_SERVICE_NAME: Type.Optional(Type.String({ minLength: 1 })),
  /**
   * Libraries whose OpenTelemetry instrumentation stays off while traces are exported, comma
   * separated, from `fastify`, `pg`, `mysql2`, `ioredis`, `amqplib`, `undici` (instrument.ts;
   * read by each entry point before its service loads). Empty (the default): all are on.
   */
  OTEL_NODE_DISABLED_INSTRUMENTATIONS: Type.String({
    default: '',
    pattern: '^( *(fastify|pg|mysql2|ioredis|amqplib|undici) *(,|$))*$',
  }),
}

/** The HTTP server's injected latency from the shared settings (undefined when off). */
export function extraLatencyOf(config: {
  EXTRA_LATENCY_MS?: number
  EXTRA_LATENCY_JITTER_MS?: number
  EXTRA_LATENCY_FILE?: string
}): { ms: number; jitterMs: number; file?: string } | undefined {
  const ms = config.EXTRA_LATENCY_MS ?? 0
  const jitterMs = config.EXTRA_LATENCY_JITTER_MS ?? 0
  const file = config.EXTRA_LATENCY_FILE || undefined
  return ms > 0 || jitterMs > 0 || file ? { ms, jitterMs, ...(file ? { file } : {}) } : undefined
}
