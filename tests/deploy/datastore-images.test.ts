import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { readRepoFile, renderKustomize } from './deploy-test-support.js'

// The datastores and broker that compose.yaml and the dev overlay run stay on supported
// releases, pinned to a minor. The tests themselves run against whatever this machine has
// (Debian 12: PostgreSQL 15, MariaDB 10.11, Redis 7.0, RabbitMQ 3.10): the code uses nothing
// version-specific, so the images may be newer than these.
const datastores = ['postgres', 'mariadb', 'redis', 'rabbitmq']

/**
 * Release series and when their support ends (the projects' own lifecycle pages): an image of a
 * series whose date has passed fails. `below` covers every older series too. Redis publishes no
 * dated lifecycle for its open-source releases: its images are held to a pinned minor only.
 */
const endOfLife: { image: string; series?: string; below?: string; date: string }[] = [
  { image: 'postgres', below: '14', date: '2025-11-13' },
  { image: 'postgres', series: '14', date: '2026-11-12' },
  { image: 'postgres', series: '15', date: '2027-11-11' },
  { image: 'postgres', series: '16', date: '2028-11-09' },
  { image: 'postgres', series: '17', date: '2029-11-08' },
  // 10.6 was the last LTS before 10.11.
  { image: 'mariadb', below: '10.11', date: '2026-07-06' },
  { image: 'mariadb', series: '10.11', date: '2028-02-16' },
  { image: 'mariadb', series: '11.4', date: '2029-05-29' },
  { image: 'mariadb', series: '11.8', date: '2028-06-04' },
  // 3.13, the last 3.x, lost community support on 2025-03-01 and commercial on 2025-09-01.
  { image: 'rabbitmq', below: '4', date: '2025-03-01' },
]
/** MariaDB's long-term series: the others are short-term releases, not meant to be run. */
const mariadbLts = ['10.11', '11.4', '11.8']

/** Numeric comparison of dotted versions (`10.6` < `10.11`). */
function older(version: string, than: string): boolean {
  const [a, b] = [version, than].map((v) => v.split('.').map(Number))
  for (let i = 0; i < Math.max(a!.length, b!.length); i++) {
    const [x, y] = [a![i] ?? 0, b![i] ?? 0]
    if (x !== y) return x < y
  }
  return false
}

/** Why an image reference is not a pinned, supported datastore release, or undefined. */
function unsupported(image: string, today = new Date()): string | undefined {
  const match = /^([a-z0-9./-]+):([^@:]+)$/.exec(image)
  if (!match) return 'no tag'
  const [, name, tag] = match
  const repository = name!.split('/').pop()!
  // A bare major (`postgres:17`) moves to new minors without a change here: pin a minor.
  const version = /^(\d+)\.(\d+)(?:\.\d+)?(?:-[a-z0-9.-]+)?$/.exec(tag!)
  if (!version) return `tag ${tag} is not pinned to a minor (latest, a bare major or a name)`
  const [major, minor] = [version[1]!, `${version[1]}.${version[2]}`]
  if (repository === 'mariadb' && !mariadbLts.includes(minor)) return `${minor} is no MariaDB LTS`
  for (const entry of endOfLife.filter((e) => e.image === repository)) {
    const covered = entry.series
      ? entry.series === minor || entry.series === major
      : older(minor, entry.below!)
    if (covered && new Date(entry.date) <= today)
      return `${minor} reached end of life ${entry.date}`
  }
  return undefined
}

describe('the datastore images', () => {
  const compose = parse(readRepoFile('compose.yaml')) as {
    services: Record<string, { image?: string }>
  }
  const dev = renderKustomize('deploy/k8s/overlays/dev')
  // CI's service containers run the integration tests against the same releases.
  const workflow = parse(readRepoFile('.github/workflows/ci.yml')) as {
    jobs: Record<string, { services?: Record<string, { image?: string }> }>
  }
  const ciImages = Object.values(workflow.jobs).flatMap((job) =>
    Object.entries(job.services ?? {}).map(([name, service]) => ({
      where: `ci.yml ${name}`,
      image: service.image,
    })),
  )
  const images = [
    ...ciImages,
    ...datastores.map((name) => ({
      where: `compose.yaml ${name}`,
      image: compose.services[name]?.image,
    })),
    ...dev
      .filter((o) => o.kind === 'StatefulSet')
      .flatMap((o: any) => o.spec.template.spec.containers)
      .map((c: any) => ({ where: `dev overlay ${c.name}`, image: c.image as string })),
  ]

  it('cover every datastore in compose, the dev overlay and CI', () => {
    for (const name of datastores) {
      expect(
        images.filter((i) => i.image?.startsWith(`${name}:`)),
        name,
      ).toHaveLength(3)
    }
  })

  it.each(images)('$where: $image is a pinned, supported release', ({ image }) => {
    expect(unsupported(image!)).toBeUndefined()
  })

  it('refuses latest, bare majors, short-term MariaDB and end-of-life majors', () => {
    const today = new Date('2026-12-01')
    for (const image of [
      'postgres:latest',
      'postgres:17',
      'postgres:13.18-bookworm',
      'postgres:14.15',
      'mariadb:10.6',
      'mariadb:11.7',
      'mariadb:12.0',
      'rabbitmq:3.13-management',
      'redis',
    ]) {
      expect(unsupported(image, today), image).toBeDefined()
    }
    for (const image of ['postgres:17.6-bookworm', 'mariadb:11.8', 'rabbitmq:4.2-management']) {
      expect(unsupported(image, today), image).toBeUndefined()
    }
    // Support ends: PostgreSQL 15 passes today and fails after November 2027.
    expect(unsupported('postgres:15.10', today)).toBeUndefined()
    expect(unsupported('postgres:15.10', new Date('2027-12-01'))).toBeDefined()
  })
})
