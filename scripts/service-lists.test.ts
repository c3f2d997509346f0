import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { serviceNames } from '@emporium/contracts'

const root = new URL('../', import.meta.url)

/**
 * The tracked files (docs/ aside) that may name every service, and why each must: the rest
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
    return serviceNames.every((name) => text.includes(name))
  })
}

describe('files that list the services by hand', () => {
  it('are only the ones that must, at most twelve', () => {
    const naming = filesNamingEveryService()
    expect(naming.filter((file) => !(file in allowed))).toEqual([])
    expect(Object.keys(allowed).length).toBeLessThanOrEqual(12)
  })
})
