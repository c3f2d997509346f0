// `npm run loadgen -- [options]`: see `--help` (help.ts) and README.md.
import { writeFile } from 'node:fs/promises'
import { parseCli, UsageError } from './args.js'
import { helpText } from './help.js'
import { checkInvariants } from './invariants.js'
import { formatReport } from './report-format.js'
import { runLoad } from './run-load.js'
import type { InvariantResult } from './types.js'
import { judge } from './verdict.js'

let cli
try {
  cli = parseCli(process.argv.slice(2))
} catch (error) {
  if (!(error instanceof UsageError)) throw error
  process.stderr.write(`loadgen: ${error.message}\nSee npm run loadgen -- --help\n`)
  process.exit(64)
}
if (cli.kind === 'help') {
  process.stdout.write(helpText)
  process.exit(0)
}

// Ctrl-C once: stop arrivals and let the scenarios under way end; twice: quit now.
const stop = new AbortController()
process.on('SIGINT', () => {
  if (stop.signal.aborted) process.exit(130)
  process.stderr.write('\nstopping: no more arrivals (Ctrl-C again to quit now)\n')
  stop.abort()
})

const report = await runLoad({ ...cli.load, progress: !cli.quiet, signal: stop.signal })
let invariants: InvariantResult[] | undefined
if (cli.invariants) {
  if (!cli.quiet) process.stderr.write('checking invariants…\n')
  invariants = await checkInvariants({
    baseUrl: cli.load.baseUrl,
    admin: { email: cli.invariants.email, password: cli.invariants.password },
    settleSeconds: cli.invariants.settleSeconds,
    productIds: report.productIds,
  })
}
const verdict = judge(report, invariants, cli.maxErrorRate)
const text = [
  formatReport(report, invariants),
  '',
  verdict.code === 0 ? 'PASSED' : `FAILED: ${verdict.reasons.join('; ')}`,
  '',
].join('\n')
if (cli.json === '-') process.stderr.write(text)
else process.stdout.write(text)
if (cli.json !== undefined) {
  const json = `${JSON.stringify({ ...report, invariants: invariants ?? null, verdict }, null, 2)}\n`
  if (cli.json === '-') process.stdout.write(json)
  else await writeFile(cli.json, json)
}
process.exitCode = verdict.code
