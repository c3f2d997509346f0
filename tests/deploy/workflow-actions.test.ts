import { readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readRepoFile } from './deploy-test-support.js'

// A tag (`@v4`) can be moved to other code after review; a commit cannot. Every action the
// workflows run is pinned to a full commit SHA, with its release in a comment for the reader
// (Dependabot's github-actions updates keep both current).
const pinned = /^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/

/** Every `uses:` of a workflow's steps (local `./` actions and `docker://` images aside). */
function actionsOf(text: string): string[] {
  const workflow = parse(text) as {
    jobs: Record<string, { uses?: string; steps?: Array<{ uses?: string }> }>
  }
  return Object.values(workflow.jobs)
    .flatMap((job) => [job.uses, ...(job.steps ?? []).map((step) => step.uses)])
    .filter((uses): uses is string => typeof uses === 'string')
    .filter((uses) => !uses.startsWith('./') && !uses.startsWith('docker://'))
}

describe('the GitHub workflows', () => {
  const files = readdirSync(new URL('../../.github/workflows/', import.meta.url)).filter((f) =>
    /\.ya?ml$/.test(f),
  )

  it.each(files)('%s pins every action to a commit SHA', (file) => {
    const actions = actionsOf(readRepoFile(`.github/workflows/${file}`))
    expect(actions.length).toBeGreaterThan(0)
    expect(actions.filter((uses) => !pinned.test(uses))).toEqual([])
  })

  it('refuses a tag or a short SHA', () => {
    const text = (uses: string) => `jobs:\n  a:\n    steps:\n      - uses: ${uses}\n`
    for (const uses of ['actions/checkout@v4', 'actions/checkout@11bd719', 'actions/checkout']) {
      expect(
        actionsOf(text(uses)).filter((u) => !pinned.test(u)),
        uses,
      ).toEqual([uses])
    }
    const sha = 'actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683'
    expect(actionsOf(text(sha)).filter((u) => !pinned.test(u))).toEqual([])
  })
})
