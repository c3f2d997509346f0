import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'yaml'
import { serviceNames } from '@emporium/contracts'
import { reservePort } from '@emporium/platform/testing'
import {
  embeddedManagementPort,
  reserveEmbeddedPorts,
  type Started,
  startProcess,
  waitForOk,
} from '../e2e/process.js'
import { readRepoFile, readYaml, repoRoot } from './deploy-test-support.js'

// This file's own ports, claimed against every other test on the machine.
const embeddedPorts = await reserveEmbeddedPorts()

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
    const port = embeddedPorts
    // The gateway's /readyz and /metrics are on its management port, the one after the services'.
    const management = embeddedManagementPort(port + 1)
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

    // Prometheus itself (Debian's `prometheus`, as `promtool` for the rules' unit tests) scrapes
    // this platform with the job of deploy/observability/prometheus/prometheus.yml that lists fixed
    // targets, its hosts pointed at this platform's ports, and evaluates alerts.yml: the targets
    // answer, the series carry the labels the rules group by, and every rule evaluates.
    describe('scraped by Prometheus', () => {
      const dir = mkdtempSync(join(tmpdir(), 'emporium-prometheus-'))
      const groups = alerts.groups.map((g) => g.name)
      let prometheus: ChildProcess | undefined
      let output = ''
      let api = ''
      let targets: string[] = []

      /** GET /api/v1/<path> of the test's Prometheus: its `data`, or undefined when not ready. */
      async function query<T>(path: string): Promise<T | undefined> {
        try {
          const response = await fetch(`${api}/api/v1/${path}`)
          const body = (await response.json()) as { status: string; data: T }
          return body.status === 'success' ? body.data : undefined
        } catch {
          return undefined
        }
      }

      /**
       * Polls until `check` says done, or fails with what it saw last and Prometheus's output.
       * `check` returns what it saw and whether that is what the test waits for.
       */
      async function eventually<T>(
        what: string,
        check: () => Promise<{ done: boolean; seen: T }>,
      ): Promise<T> {
        const deadline = Date.now() + 90_000
        let last: unknown
        while (Date.now() < deadline) {
          if (prometheus?.exitCode !== null) throw new Error(`prometheus exited:\n${output}`)
          const { done, seen } = await check()
          if (done) return seen
          last = seen
          await new Promise((r) => setTimeout(r, 500))
        }
        throw new Error(`${what} not seen in 90 s (last: ${JSON.stringify(last)}):\n${output}`)
      }

      beforeAll(async () => {
        const shipped = readYaml('deploy/observability/prometheus/prometheus.yml') as {
          scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[]
        }
        const job = shipped.scrape_configs.find((c) => c.job_name === 'emporium-static')!
        // Each target is `<service>:<port>`: the same service's port on this platform.
        const localPort = (host: string) =>
          host === 'gateway' ? management : port + 1 + servicesInOrder.indexOf(host)
        const hosts = job.static_configs!.flatMap((c) => c.targets.map((t) => t.split(':')[0]!))
        expect(hosts.sort()).toEqual([...servicesInOrder, 'gateway'].sort())
        targets = hosts.map((h) => `127.0.0.1:${localPort(h)}`)
        const config = {
          global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
          rule_files: [
            fileURLToPath(new URL('deploy/observability/prometheus/alerts.yml', repoRoot)),
          ],
          scrape_configs: [{ ...job, static_configs: [{ targets }] }],
        }
        writeFileSync(join(dir, 'prometheus.yml'), stringify(config))
        const listen = `127.0.0.1:${await reservePort()}`
        api = `http://${listen}`
        prometheus = spawn(
          'prometheus',
          [
            `--config.file=${join(dir, 'prometheus.yml')}`,
            `--storage.tsdb.path=${join(dir, 'data')}`,
            `--web.listen-address=${listen}`,
          ],
          { stdio: ['ignore', 'pipe', 'pipe'] },
        )
        prometheus.stdout!.on('data', (d: Buffer) => (output += d.toString()))
        prometheus.stderr!.on('data', (d: Buffer) => (output += d.toString()))
        const missing = new Promise<never>((_, reject) =>
          prometheus!.once('error', (error: NodeJS.ErrnoException) =>
            reject(
              error.code === 'ENOENT'
                ? new Error(
                    'prometheus is not installed: `apt-get install --no-install-recommends prometheus` ' +
                      '(or INFRA_INSTALL=1 npm run infra:up)',
                  )
                : error,
            ),
          ),
        )
        await Promise.race([
          missing,
          eventually('Prometheus ready', async () => {
            const response = await fetch(`${api}/-/ready`).catch(() => undefined)
            return { done: response?.ok === true, seen: response?.status }
          }),
        ])
      }, 120_000)

      afterAll(async () => {
        if (prometheus && prometheus.exitCode === null && prometheus.pid !== undefined) {
          const exited = new Promise((r) => prometheus!.once('exit', r))
          prometheus.kill('SIGTERM')
          await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))])
          if (prometheus.exitCode === null) prometheus.kill('SIGKILL')
        }
        rmSync(dir, { recursive: true, force: true })
      }, 30_000)

      type Vector = { metric: Record<string, string>; value: [number, string] }[]

      it('finds every target up', async () => {
        const up = await eventually('up == 1 for every target', async () => {
          const result = await query<{ result: Vector }>(
            `query?query=${encodeURIComponent('up{job="emporium-static"}')}`,
          )
          const upTargets = (result?.result ?? [])
            .filter((s) => s.value[1] === '1')
            .map((s) => s.metric.instance!)
          return { done: upTargets.length === targets.length, seen: upTargets }
        })
        expect(up.sort()).toEqual([...targets].sort())
      }, 120_000)

      it('has the series the alerts use, labelled by service', async () => {
        // A service counts requests to its routes, not to /metrics or /healthz: one request each
        // (an unknown route, answered 404 and counted) gives every target http_requests_total,
        // the gateway's through its public port (its management port counts none).
        for (const target of [...targets, `127.0.0.1:${port}`]) {
          await (await fetch(`http://${target}/no-such-route`)).arrayBuffer()
        }
        const services = await eventually('http_requests_total of every service', async () => {
          const result = await query<{ result: Vector }>(
            `query?query=${encodeURIComponent('count by (service) (http_requests_total{job="emporium-static"})')}`,
          )
          const names = (result?.result ?? []).map((s) => s.metric.service!)
          return { done: names.length === targets.length, seen: names }
        })
        expect(services.sort()).toEqual([...servicesInOrder, 'gateway'].sort())
        const breakers = await query<{ result: Vector }>(
          `query?query=${encodeURIComponent('max by (upstream) (gateway_upstream_breaker_state)')}`,
        )
        expect(breakers?.result.length, 'gateway_upstream_breaker_state').toBeGreaterThan(0)
        // EmporiumUpstreamInstanceResting groups by the upstream instance: as scraped, the gauge's
        // own `instance` label is `exported_instance` (the target's `instance` wins).
        const instances = await query<{ result: Vector }>(
          `query?query=${encodeURIComponent('gateway_upstream_instance_up{job="emporium-static"}')}`,
        )
        expect(instances?.result.length, 'gateway_upstream_instance_up').toBeGreaterThan(0)
        for (const { metric } of instances!.result) {
          expect(metric.exported_instance, JSON.stringify(metric)).toMatch(
            /^http:\/\/127\.0\.0\.1:/,
          )
          expect(metric.instance).toBe(`127.0.0.1:${management}`)
        }
      }, 120_000)

      it('loads the alert rules, and every rule evaluates without error', async () => {
        type Rules = {
          groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[]
        }
        const loaded = await eventually('every rule evaluated', async () => {
          const data = await query<Rules>('rules')
          const all = (data?.groups ?? []).flatMap((g) => g.rules)
          const done = all.length === rules.length && all.every((r) => r.health !== 'unknown')
          return { done, seen: data ?? { groups: [] } }
        })
        expect(loaded.groups.map((g) => g.name).sort()).toEqual([...groups].sort())
        for (const rule of loaded.groups.flatMap((g) => g.rules)) {
          expect({ rule: rule.name, health: rule.health, lastError: rule.lastError ?? '' }).toEqual(
            {
              rule: rule.name,
              health: 'ok',
              lastError: '',
            },
          )
        }
      }, 120_000)
    })
  })
})
