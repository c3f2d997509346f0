import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { serviceNames } from '@emporium/contracts'

const root = new URL('../', import.meta.url)

/**
 * The tracked files (docs/ aside) that may name every service in one place, and why each must: the rest
 * read packages/contracts/src/services.ts or find services/*\/ (docs/adding-a-service.md). A new
 * file that lists the services by hand fails here: derive it from the declaration instead, or
 * add it below with its reason — the issue that introduced the declaration allows twelve.
 */
const allowed: Record<string, string> = {
  'packages/contracts/src/services.ts': 'the declaration itself',
  'package-lock.json': "npm's record of the workspaces",
  'tsconfig.json': 'project references cannot be globbed',
  'apps/all-in-one/package.json': 'the embedded runner depends on every service package',
  'compose.yaml': 'a deploy file that must list services (tests/deploy/compose.test.ts checks it)',
  'deploy/k8s/base/kustomization.yaml': 'Kustomize resources and config (tests/deploy checks it)',
  'deploy/k8s/overlays/dev/kustomization.yaml': "each service's secrets (tests/deploy checks it)",
  'deploy/observability/prometheus/prometheus.yml': 'scrape targets (tests/deploy checks them)',
  '.env.example': 'generated from the config schemas (scripts/env-example.test.ts)',
  'services/gateway/src/domain/route-table.test.ts': 'which service each public route reaches',
  'README.md': 'the architecture and configuration for readers',
  'CHANGELOG.md': 'history',
}

function filesNamingEveryService(): string[] {
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((file) => file && !file.startsWith('docs/'))
  return tracked.filter((file) => {
    let text: string
    try {
      text = readFileSync(new URL(file, root), 'utf8')
    } catch {
      return false // a file deleted in the working tree
    }
    return namesEveryServiceInOnePlace(text)
  })
}

/**
 * Whether every service's name occurs within some `span` consecutive lines: a hand-written list
 * (compose services, project references, a loop over names) keeps them together, while prose
 * that happens to use each word somewhere in a long file (`shipping` is also an address, an
 * order's `shipping` method) is not a list of services.
 */
function namesEveryServiceInOnePlace(text: string, span = 40): boolean {
  if (!serviceNames.every((name) => text.includes(name))) return false
  const lines = text.split('\n')
  const seen = new Map<string, number>()
  for (let end = 0; end < lines.length; end++) {
    for (const name of serviceNames) if (lines[end]!.includes(name)) seen.set(name, end)
    if (serviceNames.every((name) => (seen.get(name) ?? -Infinity) > end - span)) return true
  }
  return false
}

describe('files that list the services by hand', () => {
  it('are only the ones that must, at most twelve', () => {
    const naming = filesNamingEveryService()
    expect(naming.filter((file) => !(file in allowed))).toEqual([])
    expect(Object.keys(allowed).length).toBeLessThanOrEqual(12)
  })
})
