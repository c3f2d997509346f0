import Type from 'typebox'
import { loadConfigOrExit, SharedConfig } from '@emporium/platform'

/** The embedded platform's environment variables; every one has a default. */
export const AllInOneConfig = Type.Object({
  LOG_LEVEL: SharedConfig.LOG_LEVEL,
  LOG_FORMAT: SharedConfig.LOG_FORMAT,
  SHUTDOWN_TIMEOUT_SECONDS: SharedConfig.SHUTDOWN_TIMEOUT_SECONDS,
  // Trace export, for the process: each service's spans carry its own `service.name`.
  OTEL_TRACES_EXPORTER: SharedConfig.OTEL_TRACES_EXPORTER,
  OTEL_EXPORTER_OTLP_ENDPOINT: SharedConfig.OTEL_EXPORTER_OTLP_ENDPOINT,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: SharedConfig.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT,
  OTEL_EXPORTER_OTLP_PROTOCOL: SharedConfig.OTEL_EXPORTER_OTLP_PROTOCOL,
  OTEL_SERVICE_NAME: SharedConfig.OTEL_SERVICE_NAME,
  /** The gateway's port: the platform's one public address. */
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 8080 }),
  HOST: Type.String({ default: '127.0.0.1' }),
  /** The one PGlite database (`<DATA_DIR>/pglite`, a schema per service) and services' keys. */
  DATA_DIR: Type.String({ default: './.data', minLength: 1 }),
  /**
   * A folder where a freshly made PGlite data directory (~40 MB) is kept, so that a new DATA_DIR
   * starts in ~1 s instead of ~5 s of initdb; empty (the default): none. The tests set it.
   */
  PGLITE_TEMPLATE_DIR: Type.String({ default: '' }),
  /**
   * Services other than the gateway listen on consecutive ports from here, on 127.0.0.1, and the
   * gateway's management server (`/metrics`, the detailed `/readyz`) on the next: base + 6.
   */
  EMBEDDED_PORT_BASE: Type.Integer({ minimum: 1, maximum: 65000, default: 8081 }),
  /**
   * The gateway on a worker thread of its own (default), so that it answers and sheds while a
   * burst keeps the services' thread busy; `false` keeps it on the main thread, which saves
   * about 80-120 MB of memory (a second V8 isolate) and answers bursts late.
   */
  EMBEDDED_GATEWAY_THREAD: Type.Boolean({ default: true }),
  /** E-mails that get the admin role once the address is verified (comma-separated). */
  ADMIN_EMAILS: Type.String({ default: '' }),
})
export type AllInOneConfig = Type.Static<typeof AllInOneConfig>

/**
 * The embedded platform's own settings, and the environment it was started with: a service's
 * own variables (e.g. `GATEWAY_RATE_LIMIT_PER_MINUTE`) reach that service in this mode too,
 * except those the embedded mode fixes (ports, databases, broker).
 */
export function loadAllInOneConfig(env: Record<string, string | undefined> = process.env) {
  return { config: loadConfigOrExit(AllInOneConfig, env), env }
}
