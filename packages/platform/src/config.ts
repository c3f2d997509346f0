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
 * Throws a ConfigError naming every missing or bad variable.
 */
export function loadConfig<S extends Type.TObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): Type.Static<S> {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(schema.properties)) {
    const value = env[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const withDefaults = Value.Default(schema, raw)
  const converted = Value.Convert(schema, withDefaults)
  if (Value.Check(schema, converted)) return converted as Type.Static<S>
  const problems = new Map<string, string>()
  for (const error of Value.Errors(schema, converted)) {
    const missing = (error.params as { requiredProperties?: string[] }).requiredProperties
    if (error.keyword === 'required' && missing) {
      for (const name of missing) problems.set(name, `${name} is required but not set`)
      continue
    }
    const name = error.instancePath.replace(/^\//, '').split('/')[0] || '(config)'
    if (!problems.has(name)) {
      const shown = env[name] === undefined ? '' : ` (got ${JSON.stringify(redactValue(name, env[name]!))})`
      problems.set(name, `${name} ${error.message}${shown}`)
    }
  }
  throw new ConfigError([...problems.values()])
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

function redactValue(name: string, value: string): string {
  return /SECRET|PASSWORD|KEY|TOKEN|_URL/i.test(name) ? '[redacted]' : value
}

/** Shared variables, not prefixed: every service that talks to the broker reads these. */
export const SharedConfig = {
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
  /** `amqp://user:pass@host:5672/vhost`, or `memory` for the in-process bus. */
  RABBITMQ_URL: Type.String({ default: 'memory', minLength: 1 }),
  /** Seconds to finish in-flight work after SIGTERM before the process exits anyway. */
  SHUTDOWN_TIMEOUT_SECONDS: Type.Number({ minimum: 1, maximum: 600, default: 20 }),
}
