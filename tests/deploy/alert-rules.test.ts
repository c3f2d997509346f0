import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { readYaml, repoRoot } from './deploy-test-support.js'

// The alert rules are unit-tested by Prometheus's own tool: alerts.test.yml feeds each alert
// series and says when it fires, with which labels and summary, and when it must not.
const rulesFile = 'deploy/observability/prometheus/alerts.yml'
const testsFile = 'deploy/observability/prometheus/alerts.test.yml'

/** `promtool <args>` in the repository; its output is the failure message when it exits non-zero. */
function promtool(...args: string[]): string {
  const run = spawnSync('promtool', args, { cwd: fileURLToPath(repoRoot), encoding: 'utf8' })
  if ((run.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    throw new Error(
      'promtool is not installed: `apt-get install --no-install-recommends prometheus` ' +
        '(or INFRA_INSTALL=1 npm run infra:up)',
    )
  }
  if (run.error) throw run.error
  const output = `${run.stdout}${run.stderr}`
  if (run.status !== 0) {
    throw new Error(`promtool ${args.join(' ')} exited with ${run.status}:\n${output}`)
  }
  return output
}

const alertNames = (
  readYaml(rulesFile) as { groups: { rules: { alert?: string }[] }[] }
).groups.flatMap((g) => g.rules.flatMap((r) => (r.alert ? [r.alert] : [])))
const tests = (
  readYaml(testsFile) as {
    tests: {
      alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[]
    }[]
  }
).tests.flatMap((t) => t.alert_rule_test ?? [])

describe('the alert rules', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', rulesFile)).toContain('SUCCESS')
  })

  it('pass their unit tests (promtool test rules)', () => {
    expect(promtool('test', 'rules', testsFile)).toContain('SUCCESS')
  })

  // So that a new alert cannot go untested: each has a case where it fires and one where it
  // does not (the unit tests above then say whether they hold).
  it('each have a case where they fire and one where they do not', () => {
    expect(alertNames.length).toBeGreaterThan(10)
    for (const name of alertNames) {
      const cases = tests.filter((t) => t.alertname === name)
      expect(
        cases.some((t) => t.exp_alerts.length > 0),
        `${name}: no case in ${testsFile} where it fires`,
      ).toBe(true)
      expect(
        cases.some((t) => t.exp_alerts.length === 0),
        `${name}: no case in ${testsFile} where it does not fire`,
      ).toBe(true)
    }
    expect(
      tests.map((t) => t.alertname).filter((name) => !alertNames.includes(name)),
      `alerts tested in ${testsFile} but not in ${rulesFile}`,
    ).toEqual([])
  })
})
