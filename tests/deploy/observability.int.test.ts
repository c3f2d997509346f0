import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNames } from '@emporium/contracts'
import { startProcess, waitForOk, type Started } from '../e2e/process.js'
import { readRepoFile, readYaml } from './deploy-test-support.js'

// Every metric the alert rules and the dashboard use must be one the services really export:
// the names are checked against the /metrics of a running (embedded) platform.
const servicesInOrder = serviceNames
/** Not from the services, by design: Prometheus's own `up`, and RabbitMQ's queue exporter. */
const external = new Map([
  ['up', 'made by Prometheus for every target'],
  ['rabbitmq_detailed_queue_messages_ready', 'rabbitmq_prometheus, /metrics/detailed'],
])
const keywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right'])
const operators = new Set(['and', 'or', 'unless', 'bool', 'offset'])

/** Metric names in a PromQL expression (functions, labels, strings and ranges removed). */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(new RegExp(`\\b(${[...keywords].join('|')})\\s*\\([^)]*\\)`, 'g'), ' ')
  return [...stripped.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)]
    .filter((m) => !m[2] && !operators.has(m[1]!))
    .map((m) => m[1]!)
}

/** Names a /metrics text exposes, histograms with their _bucket, _sum and _count series. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>()
  for (const [, name, type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name!)
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`)
    }
  }
  return names
}

interface Rule {
  alert: string
  expr: string
  for: string
  labels: { severity: string }
  annotations: { summary: string }
}
const alerts = readYaml('deploy/observability/prometheus/alerts.yml') as {
  groups: { name: string; rules: Rule[] }[]
}
const dashboard = JSON.parse(
  readRepoFile('deploy/observability/grafana/emporium-services.json'),
) as {
  uid: string
  panels: { type: string; title: string; targets?: { expr: string }[] }[]
}
const rules = alerts.groups.flatMap((g) => g.rules)
const panelExprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr))

describe('the observability kit', () => {
  it('parses PromQL into metric names', () => {
    expect(
      metricNames(
        'histogram_quantile(0.99, sum by (service, le) (rate(x_bucket{a=~"b|c"}[5m]))) > 1 and on (s) up',
      ),
    ).toEqual(['x_bucket', 'up'])
  })

  it('alerts on errors, latency, outbox age, dead letters, open breakers and consumer lag', () => {
    const all = rules.map((r) => r.expr).join('\n')
    for (const metric of [
      'http_requests_total',
      'http_request_duration_seconds_bucket',
      'outbox_oldest_unsent_age_seconds',
      'http_client_breaker_state',
      'gateway_upstream_breaker_state',
    ]) {
      expect(all).toContain(metric)
    }
    expect(rules.map((r) => r.alert)).toEqual(
      expect.arrayContaining(['EmporiumDeadLetters', 'EmporiumConsumerLag']),
    )
    for (const rule of rules) {
      expect(rule.labels.severity, rule.alert).toMatch(/^(page|ticket)$/)
      expect(rule.annotations.summary, rule.alert).toBeTruthy()
      expect(rule.for, rule.alert).toMatch(/^\d+[smh]$/)
    }
  })

  it('has a dashboard with RED panels per service and the saga’s throughput', () => {
    expect(dashboard.uid).toBe('emporium-services')
    const titles = dashboard.panels.map((p) => p.title)
    expect(titles).toEqual(
      expect.arrayContaining([
        'Requests per second',
        'Error ratio (5xx)',
        'Latency p50 / p99',
        'Orders placed per second',
        'Saga events published per second',
      ]),
    )
  })

  describe('against a running platform', () => {
    const port = 26000 + Math.floor(Math.random() * 400) * 8
    const dataDir = mkdtempSync(join(tmpdir(), 'emporium-metrics-'))
    let started: Started
    const exposed = new Set<string>()

    beforeAll(async () => {
      started = startProcess('apps/all-in-one/src/main.ts', {
        PORT: String(port),
        EMBEDDED_PORT_BASE: String(port + 1),
        DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      })
      // The gateway's /readyz and /metrics are on its management port (EMBEDDED_PORT_BASE + 6).
      const management = port + 7
      await waitForOk(`http://127.0.0.1:${management}/readyz`, started, 120_000)
      const ports = [management, ...servicesInOrder.map((_, i) => port + 1 + i)]
      for (const p of ports) {
        const text = await (await fetch(`http://127.0.0.1:${p}/metrics`)).text()
        expect(text, `metrics of port ${p}`).toContain('http_requests_total')
        for (const name of exposedNames(text)) exposed.add(name)
      }
    }, 180_000)

    afterAll(async () => {
      if (started?.child.exitCode === null) {
        started.child.kill('SIGTERM')
        await Promise.race([started.exited, new Promise((r) => setTimeout(r, 10_000))])
        if (started.child.exitCode === null) started.child.kill('SIGKILL')
      }
      rmSync(dataDir, { recursive: true, force: true })
    }, 30_000)

    it('exports every metric an alert rule uses', () => {
      for (const rule of rules) {
        for (const name of metricNames(rule.expr)) {
          if (!external.has(name)) expect(exposed, `${rule.alert}: ${name}`).toContain(name)
        }
      }
    })

    it('exports every metric a dashboard panel uses', () => {
      expect(panelExprs.length).toBeGreaterThan(15)
      for (const expr of panelExprs) {
        const names = metricNames(expr)
        expect(names.length, expr).toBeGreaterThan(0)
        for (const name of names) {
          if (!external.has(name)) expect(exposed, `${expr}: ${name}`).toContain(name)
        }
      }
    })
  })
})
