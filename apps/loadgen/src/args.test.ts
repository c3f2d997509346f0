import { describe, expect, it } from 'vitest'
import { defaults, parseCli, parseWeights, UsageError } from './args.js'
import { scenarioNames } from './types.js'

const run = (argv: string[]) => {
  const cli = parseCli(argv)
  if (cli.kind !== 'run') throw new Error('expected a run')
  return cli
}

describe('parseCli', () => {
  it('has defaults that work against npm start', () => {
    const cli = run([])
    expect(cli.load).toMatchObject({
      baseUrl: 'http://127.0.0.1:8080',
      rate: 2,
      durationSeconds: 30,
      rampSeconds: 5,
      maxInFlight: 64,
      shoppers: 8,
      followOrders: 'stream',
      retryAfterDeclinePercent: 70,
      statePath: defaults.state,
    })
    expect(cli.maxErrorRate).toBe(0.01)
    expect(cli.invariants).toEqual({
      email: 'loadgen-admin@emporium.test',
      password: 'loadgen-admin-password',
      settleSeconds: 30,
    })
    expect(cli.json).toBeUndefined()
    expect(cli.quiet).toBe(false)
  })

  it('reads every option', () => {
    // prettier-ignore
    const cli = run([
      '--target=http://10.0.0.1:9000',
      '--rate', '50', '--duration', '120', '--ramp', '10',
      '--mix', 'browse=1,checkout=3', '--cards', 'approved=1,declined=1',
      '--max-in-flight', '200', '--shoppers', '100', '--follow', 'poll',
      '--final-timeout', '90', '--timeout', '5', '--max-retry-wait', '2',
      '--retry-after-decline', '25',
      '--arrivals', 'uniform', '--seed', '7', '--state', '/tmp/s.json',
      '--max-error-rate', '0', '--json', '-', '--admin-email', 'a@b.c',
      '--admin-password', 'secret-password', '--settle', '5', '--quiet',
    ])
    expect(cli.load).toMatchObject({
      baseUrl: 'http://10.0.0.1:9000',
      rate: 50,
      durationSeconds: 120,
      rampSeconds: 10,
      mix: { browse: 1, checkout: 3, search: 0, view: 0, cart: 0, history: 0 },
      cards: { approved: 1, declined: 1, insufficient: 0, transient: 0, slow: 0 },
      maxInFlight: 200,
      shoppers: 100,
      followOrders: 'poll',
      finalTimeoutSeconds: 90,
      retryAfterDeclinePercent: 25,
      requestTimeoutSeconds: 5,
      maxRetryWaitSeconds: 2,
      arrivals: 'uniform',
      seed: 7,
      statePath: '/tmp/s.json',
    })
    expect(cli).toMatchObject({
      maxErrorRate: 0,
      json: '-',
      quiet: true,
      invariants: { email: 'a@b.c', password: 'secret-password', settleSeconds: 5 },
    })
  })

  it('--smoke is short and gentle; explicit options still win', () => {
    expect(run(['--smoke']).load).toMatchObject({ rate: 1, durationSeconds: 20, shoppers: 4 })
    expect(run(['--smoke', '--duration', '5', '--base-url', 'http://h:1']).load).toMatchObject({
      rate: 1,
      durationSeconds: 5,
      baseUrl: 'http://h:1',
    })
  })

  it('turns off the state file and the invariant check', () => {
    const cli = run(['--no-state', '--no-invariants'])
    expect(cli.load.statePath).toBeUndefined()
    expect(cli.invariants).toBeUndefined()
  })

  it('answers --help and -h', () => {
    expect(parseCli(['--help'])).toEqual({ kind: 'help' })
    expect(parseCli(['-h', '--rate', 'x'])).toEqual({ kind: 'help' })
  })

  it('refuses bad values with a usage error', () => {
    for (const argv of [
      ['--rate', 'fast'],
      ['--rate', '-1'],
      ['--duration', '0'],
      ['--shoppers', '2.5'],
      ['--max-in-flight', '0'],
      ['--follow', 'sometimes'],
      ['--target', 'nowhere'],
      ['--max-error-rate', '5'],
      ['--mix', 'browse=0'],
      ['--mix', 'shop=1'],
      ['--retry-after-decline', '101'],
      ['--retry-after-decline', '-5'],
      ['--retry-after-decline', 'often'],
      ['--unknown'],
      ['positional'],
    ]) {
      expect(() => parseCli(argv), argv.join(' ')).toThrow(UsageError)
    }
  })
})

describe('parseWeights', () => {
  it('fills names left out with 0', () => {
    expect(parseWeights('mix', 'cart=2, view=0.5', scenarioNames)).toEqual({
      browse: 0,
      search: 0,
      view: 0.5,
      cart: 2,
      checkout: 0,
      history: 0,
    })
  })
})
