import { execFileSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readRepoFile, readYaml, repoRoot } from './deploy-test-support.js'

// Which Node runs where (issue 16): production on the LTS line .nvmrc names (24), CI on every
// maintained LTS, development on anything package.json's engines accept. The major is written in
// several files that no tool reads from one another; this keeps them in step, so that moving to
// the next LTS is a change to .nvmrc that this test then walks through every other place.

const major = readRepoFile('.nvmrc').trim()
const officialImage = `node:${major}-bookworm-slim`

interface Step {
  uses?: string
  with?: Record<string, unknown>
}
interface Job {
  strategy?: { matrix?: Record<string, unknown> }
  steps?: Step[]
}
const workflow = parse(readRepoFile('.github/workflows/ci.yml')) as { jobs: Record<string, Job> }
const setupNode = (job: Job) =>
  (job.steps ?? []).filter((step) => step.uses?.startsWith('actions/setup-node@'))

describe('the Node versions', () => {
  it('.nvmrc names an even (LTS) major only, newer than the oldest Node development supports', () => {
    expect(major).toMatch(/^\d+$/)
    expect(Number(major) % 2).toBe(0)
    const engines = (JSON.parse(readRepoFile('package.json')) as { engines: { node: string } })
      .engines.node
    expect(engines).toBe('>=20.19.0')
    expect(Number(major)).toBeGreaterThan(20)
  })

  it('the images run that major: the Dockerfile, compose and the local stand-in of the base', () => {
    expect(readRepoFile('deploy/Dockerfile')).toMatch(
      new RegExp(`^ARG NODE_IMAGE=${officialImage.replaceAll('.', '\\.')}$`, 'm'),
    )
    const compose = readYaml('compose.yaml') as {
      services: Record<string, { build?: { args?: Record<string, string> } }>
    }
    const built = Object.entries(compose.services).filter(([, s]) => s.build)
    expect(built.length).toBeGreaterThan(0)
    for (const [name, service] of built)
      expect(service.build!.args?.NODE_IMAGE, name).toBe(`\${NODE_IMAGE:-${officialImage}}`)
    // The stand-in pins one exact release of that major, and each tarball's integrity.
    const script = readRepoFile('deploy/docker/local-base.sh')
    expect(script).toMatch(new RegExp(`^NODE_VERSION=${major}\\.\\d+\\.\\d+$`, 'm'))
    for (const pin of ['NODE_INTEGRITY_X64', 'NODE_INTEGRITY_ARM64', 'NPM_INTEGRITY'])
      expect(script).toMatch(new RegExp(`^${pin}=sha512-[A-Za-z0-9+/]{86}==$`, 'm'))
    expect(script).toMatch(
      /^IMAGE=\$\{EMPORIUM_NODE_BASE:-localhost\/emporium-node-base:\$\{NODE_VERSION%%\.\*\}\}$/m,
    )
  })

  it('CI tests every maintained LTS and deploys on the production one', () => {
    const { check, ...others } = workflow.jobs
    expect(check!.strategy?.matrix?.node).toEqual([22, Number(major)])
    expect(setupNode(check!)).toEqual([
      expect.objectContaining({
        with: expect.objectContaining({ 'node-version': '${{ matrix.node }}' }),
      }),
    ])
    const deploying = Object.entries(others).filter(([, job]) => setupNode(job).length > 0)
    expect(deploying.length).toBeGreaterThan(0)
    for (const [name, job] of deploying)
      for (const step of setupNode(job))
        expect(step.with, name).toEqual(expect.objectContaining({ 'node-version-file': '.nvmrc' }))
  })

  it('no file still names a Node 20 image or base', () => {
    const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
      cwd: repoRoot,
      encoding: 'utf8',
    })
      .split('\n')
      // The changelog tells the history; this file names the pattern it looks for.
      .filter((f) => f && f !== 'CHANGELOG.md' && f !== 'tests/deploy/node-runtime.test.ts')
      .filter((f) => !/\.(png|jpe?g|ico|woff2?)$/.test(f) && f !== 'package-lock.json')
    const stale = files.filter((f) => {
      let text: string
      try {
        text = readRepoFile(f)
      } catch {
        return false // listed but deleted in the working tree
      }
      return /node:20-|emporium-node-base:20\b|node-version: '?20\b/.test(text)
    })
    expect(stale).toEqual([])
  })
})
