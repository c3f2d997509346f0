import { parseArgs } from 'node:util'
import { defaultCards, defaultMix } from './options.js'
import { scenarioNames, type CardName, type LoadOptions, type ScenarioName } from './types.js'

export class UsageError extends Error {}

/** What the command line asks for. */
export type Cli =
  | { kind: 'help' }
  | {
      kind: 'run'
      load: LoadOptions
      /** A file for the JSON report; `-` for stdout (the table then goes to stderr). */
      json?: string
      maxErrorRate: number
      /** Undefined with --no-invariants. */
      invariants?: { email: string; password: string; settleSeconds: number }
      quiet: boolean
    }

export const defaults = {
  target: 'http://127.0.0.1:8080',
  rate: 2,
  duration: 30,
  ramp: 5,
  maxInFlight: 64,
  shoppers: 8,
  follow: 'stream',
  finalTimeout: 60,
  retryAfterDecline: 70,
  timeout: 10,
  maxRetryWait: 15,
  arrivals: 'poisson',
  state: '.data/loadgen/shoppers.json',
  maxErrorRate: 0.01,
  adminEmail: 'loadgen-admin@emporium.test',
  adminPassword: 'loadgen-admin-password',
  settle: 30,
} as const

/** `--smoke`: a short, gentle run for CI after a deploy (explicit options still win). */
export const smoke = { rate: 1, duration: 20, ramp: 2, shoppers: 4, finalTimeout: 30, settle: 20 }

const options = {
  target: { type: 'string' },
  'base-url': { type: 'string' },
  rate: { type: 'string' },
  duration: { type: 'string' },
  ramp: { type: 'string' },
  mix: { type: 'string' },
  cards: { type: 'string' },
  'max-in-flight': { type: 'string' },
  shoppers: { type: 'string' },
  follow: { type: 'string' },
  'final-timeout': { type: 'string' },
  'retry-after-decline': { type: 'string' },
  timeout: { type: 'string' },
  'max-retry-wait': { type: 'string' },
  arrivals: { type: 'string' },
  seed: { type: 'string' },
  state: { type: 'string' },
  'no-state': { type: 'boolean' },
  'max-error-rate': { type: 'string' },
  json: { type: 'string' },
  'admin-email': { type: 'string' },
  'admin-password': { type: 'string' },
  'no-invariants': { type: 'boolean' },
  settle: { type: 'string' },
  smoke: { type: 'boolean' },
  quiet: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

function numberOf(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < min)
    throw new UsageError(`--${name} must be a number ≥ ${min}, not "${text}"`)
  return value
}

function integerOf(name: string, text: string | undefined, fallback: number, min = 0): number {
  const value = numberOf(name, text, fallback, min)
  if (!Number.isInteger(value)) throw new UsageError(`--${name} must be a whole number`)
  return value
}

function percentOf(name: string, text: string | undefined, fallback: number): number {
  const value = numberOf(name, text, fallback)
  if (value > 100) throw new UsageError(`--${name} is a percent from 0 to 100, not "${text}"`)
  return value
}

/** `browse=3,checkout=1` → weights; names it leaves out weigh 0. */
export function parseWeights<K extends string>(
  name: string,
  text: string,
  known: readonly K[],
): Record<K, number> {
  const weights = Object.fromEntries(known.map((k) => [k, 0])) as Record<K, number>
  for (const part of text.split(',').filter((p) => p.trim())) {
    const [key, value] = part.split('=').map((s) => s.trim())
    if (!known.includes(key as K))
      throw new UsageError(`--${name}: unknown "${key}" (one of ${known.join(', ')})`)
    weights[key as K] = numberOf(`${name} ${key}`, value ?? '', 0)
  }
  if (!Object.values<number>(weights).some((w) => w > 0))
    throw new UsageError(`--${name} needs at least one weight above 0`)
  return weights
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[]) {
  if (text === undefined) return undefined
  if (!allowed.includes(text as T)) throw new UsageError(`--${name} is one of ${allowed.join('|')}`)
  return text as T
}

/** Reads the command line (without the node and script arguments). */
export function parseCli(argv: string[]): Cli {
  let values
  try {
    ;({ values } = parseArgs({ args: argv, options, strict: true, allowPositionals: false }))
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  if (values.help) return { kind: 'help' }
  const preset = values.smoke ? smoke : undefined
  const target = values.target ?? values['base-url'] ?? defaults.target
  try {
    new URL(target)
  } catch {
    throw new UsageError(`--target must be a URL such as ${defaults.target}, not "${target}"`)
  }
  const load: LoadOptions = {
    baseUrl: target,
    rate: numberOf('rate', values.rate, preset?.rate ?? defaults.rate),
    durationSeconds: numberOf('duration', values.duration, preset?.duration ?? defaults.duration),
    rampSeconds: 0,
    mix: values.mix
      ? parseWeights<ScenarioName>('mix', values.mix, scenarioNames)
      : { ...defaultMix },
    cards: values.cards
      ? parseWeights<CardName>('cards', values.cards, Object.keys(defaultCards) as CardName[])
      : { ...defaultCards },
    maxInFlight: integerOf('max-in-flight', values['max-in-flight'], defaults.maxInFlight, 1),
    shoppers: integerOf('shoppers', values.shoppers, preset?.shoppers ?? defaults.shoppers),
    followOrders:
      oneOf('follow', values.follow, ['poll', 'stream', 'none'] as const) ?? defaults.follow,
    finalTimeoutSeconds: numberOf(
      'final-timeout',
      values['final-timeout'],
      preset?.finalTimeout ?? defaults.finalTimeout,
      1,
    ),
    retryAfterDeclinePercent: percentOf(
      'retry-after-decline',
      values['retry-after-decline'],
      defaults.retryAfterDecline,
    ),
    requestTimeoutSeconds: numberOf('timeout', values.timeout, defaults.timeout, 0.1),
    maxRetryWaitSeconds: numberOf(
      'max-retry-wait',
      values['max-retry-wait'],
      defaults.maxRetryWait,
    ),
    arrivals:
      oneOf('arrivals', values.arrivals, ['poisson', 'uniform'] as const) ?? defaults.arrivals,
    ...(values.seed === undefined ? {} : { seed: integerOf('seed', values.seed, 0) }),
    ...(values['no-state'] ? {} : { statePath: values.state ?? defaults.state }),
  }
  if (load.durationSeconds <= 0) throw new UsageError('--duration must be above 0')
  // The default ramp never takes more than a quarter of a short run.
  const ramp = preset?.ramp ?? Math.min(defaults.ramp, load.durationSeconds / 4)
  load.rampSeconds = numberOf('ramp', values.ramp, ramp)
  const maxErrorRate = numberOf('max-error-rate', values['max-error-rate'], defaults.maxErrorRate)
  if (maxErrorRate > 1) throw new UsageError('--max-error-rate is a fraction: 0.01 is 1%')
  return {
    kind: 'run',
    load,
    ...(values.json === undefined ? {} : { json: values.json }),
    maxErrorRate,
    ...(values['no-invariants']
      ? {}
      : {
          invariants: {
            email: values['admin-email'] ?? defaults.adminEmail,
            password: values['admin-password'] ?? defaults.adminPassword,
            settleSeconds: numberOf('settle', values.settle, preset?.settle ?? defaults.settle),
          },
        }),
    quiet: values.quiet === true,
  }
}
