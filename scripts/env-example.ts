// `npm run env:example` writes `.env.example`: every variable the platform's processes read, from
// their config schemas (the platform's SharedConfig, each deployable's `<Name>Config`, loaded by
// the convention apps/all-in-one/src/services.ts loads services by, and the all-in-one's), grouped
// by process, each with its description (the schema's doc comment) and its default. A variable
// that only repeats its default is written commented out, so that loading the file, as the
// distributed mode does (scripts/distributed-env.ts), sets nothing new: the active lines are
// `distributedSettings` alone. scripts/env-example.test.ts fails when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'
import Type from 'typebox'
import ts from 'typescript'
import { AllInOneConfig } from '@emporium/all-in-one/config'
import { deployableNames, serviceDeclarations } from '@emporium/contracts'
import { SharedConfig } from '@emporium/platform'
import { declaredEnvironment } from './distributed-env.js'

const root = new URL('../', import.meta.url)
const WIDTH = 100

/**
 * The settings the distributed mode wants written out: real servers where the defaults are
 * in-process (broker, Redis), key files kept across restarts, the demo catalog, an admin, a
 * placeholder for the fingerprint secret, and the shared settings at their values. These are the
 * only active lines of the file; every other variable has its default or the declaration's value.
 */
export const distributedSettings: Readonly<Record<string, string>> = {
  LOG_LEVEL: 'info',
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672/',
  RABBITMQ_PREFETCH: '100',
  RABBITMQ_MAX_BATCH: '50',
  SHUTDOWN_TIMEOUT_SECONDS: '20',
  ADMIN_EMAILS: 'admin@example.com',
  REVOCATIONS_URL: 'redis://127.0.0.1:6379/0',
  REDIS_URL: 'redis://127.0.0.1:6379/0',
  EXTRA_LATENCY_MS: '0',
  EXTRA_LATENCY_JITTER_MS: '0',
  EXTRA_LATENCY_FILE: '',
  USERS_SIGNING_KEY_FILE: './.data/distributed/users-signing-keys.json',
  ORDERS_SERVICE_KEY_FILE: './.data/distributed/orders-service-keys.json',
  CATALOG_SEED_DEMO: 'true',
  PAYMENTS_CARD_FINGERPRINT_KEY: 'change-me-to-a-long-random-secret',
}

/** A secret's default is never written out, in case it looks usable. */
export const isSecret = (name: string) => /(_KEYS?|SECRET|PASSWORD)$/.test(name)

export interface Group {
  /** The process, as the heading names it. */
  title: string
  /** Where its variables are declared and who else reads them. */
  intro: string
  schema: Type.TObject
  /** The variables listed in this group (a shared one is listed once, in the shared group). */
  names: string[]
  /** Whether the distributed mode runs this process (its declared values are noted). */
  distributed: boolean
}

const pascal = (name: string) => name[0]!.toUpperCase() + name.slice(1)
const sharedNames = Object.keys(SharedConfig)

/** The processes and their schemas: shared, each declared service, the gateway, the all-in-one. */
export async function envGroups(): Promise<Group[]> {
  const groups: Group[] = [
    {
      title: 'Shared',
      intro:
        'packages/platform/src/config.ts (SharedConfig): read by every service and the gateway',
      schema: Type.Object(SharedConfig),
      names: sharedNames,
      distributed: true,
    },
  ]
  for (const name of deployableNames) {
    const module = (await import(`@emporium/${name}`)) as Record<string, unknown>
    const schema = module[`${pascal(name)}Config`] as Type.TObject | undefined
    if (!schema) throw new Error(`@emporium/${name} exports no ${pascal(name)}Config`)
    const env = serviceDeclarations.find((s) => s.name === name)?.env
    groups.push({
      title: name,
      intro: `services/${name}/src/config.ts (${pascal(name)}Config)${env ? `, prefix ${env}_` : ''}, and the shared settings`,
      schema,
      names: Object.keys(schema.properties).filter((key) => !sharedNames.includes(key)),
      distributed: true,
    })
  }
  groups.push({
    title: 'all-in-one',
    intro:
      'apps/all-in-one/src/config.ts (AllInOneConfig): `npm start`, which reads its environment ' +
      'from the shell, not this file; it passes a service its own variables, except those it ' +
      'fixes (ports, databases, broker), and reads LOG_LEVEL, LOG_FORMAT, SHUTDOWN_TIMEOUT_SECONDS',
    schema: AllInOneConfig,
    names: Object.keys(AllInOneConfig.properties).filter((key) => !sharedNames.includes(key)),
    distributed: false,
  })
  return groups
}

/** The doc comment of each `NAME: …` property in a source file, as one paragraph. */
function docComments(path: string): Map<string, string> {
  const text = readFileSync(new URL(path, root), 'utf8')
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true)
  const docs = new Map<string, string>()
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAssignment(node) && /^[A-Z][A-Z0-9_]*$/.test(node.name.getText(source))) {
      const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? []
      const doc = ranges.map((r) => text.slice(r.pos, r.end)).findLast((c) => c.startsWith('/**'))
      if (doc) {
        const paragraph = doc
          .replace(/^\/\*\*|\*\/$/g, '')
          .split('\n')
          .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
          .filter(Boolean)
          .join(' ')
        docs.set(node.name.getText(source), paragraph)
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return docs
}

/** A value as a dotenv line holds it: quoted unless it is plain. */
function dotenvValue(value: string): string {
  if (/^[\w.:/@,+-]*$/.test(value)) return value
  if (!value.includes("'")) return `'${value}'`
  return JSON.stringify(value)
}

/** `# ` lines of `text`, wrapped at the width. */
function commentLines(text: string): string[] {
  const lines: string[] = []
  let line = '#'
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length + 1 + word.length > WIDTH && line !== '#') {
      lines.push(line)
      line = '#'
    }
    line += ` ${word}`
  }
  if (line !== '#') lines.push(line)
  return lines
}

/** The file's text, as `npm run env:example` writes it. */
export async function envExample(): Promise<string> {
  const groups = await envGroups()
  const sources: Record<string, string> = {
    Shared: 'packages/platform/src/config.ts',
    'all-in-one': 'apps/all-in-one/src/config.ts',
  }
  const docsOf = (group: Group) =>
    docComments(sources[group.title] ?? `services/${group.title}/src/config.ts`)
  const shared = docsOf(groups[0]!)
  const everyDoc = groups.map(docsOf)
  const declared = declaredEnvironment()
  const placed = new Set<string>()

  const out = [...header(), '']
  groups.forEach((group, index) => {
    out.push(`# ${'='.repeat(WIDTH - 2)}`)
    out.push(...commentLines(`${group.title}: ${group.intro}.`))
    out.push(`# ${'='.repeat(WIDTH - 2)}`)
    for (const name of group.names) {
      const property = group.schema.properties[name] as Type.TSchema & Record<string, unknown>
      // Its own file's comment, else the shared one, else the schema's, else the same variable's
      // in another process (the all-in-one's HOST is the gateway's).
      const doc =
        everyDoc[index]!.get(name) ??
        shared.get(name) ??
        (property.description as string | undefined) ??
        everyDoc.find((docs) => docs.has(name))?.get(name)
      const options = (property.anyOf as Array<{ const?: unknown }> | undefined)?.map(
        (o) => o.const,
      )
      const oneOf = options?.every((o) => o !== undefined)
        ? `One of ${options.map((o) => `\`${String(o)}\``).join(', ')}.`
        : ''
      if (!doc && !oneOf) throw new Error(`${name} (${group.title}) has no description`)
      const fallback = property.default === undefined ? '' : String(property.default)
      const required =
        (group.schema.required ?? []).includes(name) && property.default === undefined
      const sentence = doc && !/[.!?)]$/.test(doc) ? `${doc}.` : doc
      const notes = [sentence ?? '', oneOf, required ? 'Required.' : '']
      const active = name in distributedSettings && !placed.has(name)
      if (active) {
        placed.add(name)
        const value = distributedSettings[name]!
        if (value !== fallback && !isSecret(name)) {
          notes.push(fallback ? `Default: \`${fallback}\`.` : 'Default: unset.')
        }
      } else if (group.distributed && declared[name] !== undefined && declared[name] !== fallback) {
        notes.push(`Distributed mode, from the declaration: ${declared[name]}`)
      }
      out.push(...commentLines(notes.filter(Boolean).join(' ')))
      out.push(
        active
          ? `${name}=${dotenvValue(distributedSettings[name]!)}`
          : `# ${name}=${isSecret(name) ? '' : dotenvValue(fallback)}`,
      )
    }
    out.push('')
  })
  const unplaced = Object.keys(distributedSettings).filter((name) => !placed.has(name))
  if (unplaced.length > 0) throw new Error(`no process reads ${unplaced.join(', ')}`)
  return `${out.join('\n').trimEnd()}\n`
}

function header(): string[] {
  return [
    ...commentLines(
      'Every environment variable the platform reads, grouped by process, each with its ' +
        'description and default. Generated from the config schemas by `npm run env:example` ' +
        '(scripts/env-example.ts): do not edit it by hand, scripts/env-example.test.ts fails ' +
        'when it is stale.',
    ),
    '#',
    ...commentLines(
      'The distributed mode (`npm run start:distributed`: one process per service against real ' +
        "servers, each service with its own database; the bench's distributed runs) loads this " +
        'file, or `.env` when there is one: copy it to `.env` and adjust. A commented-out line ' +
        'shows the default and sets nothing; the few active lines are what the distributed mode ' +
        'sets other than that (scripts/env-example.ts, distributedSettings).',
    ),
    '#',
    ...commentLines(
      'Where each service listens and what it reaches needs no line here: scripts/distributed-env.ts ' +
        'derives its <SERVICE>_PORT, _HOST, _DATABASE_URL (database emporium_<name>, which ' +
        '`npm run infra:up` creates with the `emporium` user), _REDIS_URL, _JWKS_URL, ' +
        "_<UPSTREAM>_URLS and _TRUSTED_CALLERS, and the gateway's PORT, HOST, GATEWAY_<SERVICE>_URLS " +
        'and management address, from its declaration in packages/contracts/src/services.ts ' +
        '("Distributed mode, from the declaration" below); a line here or in `.env` overrides it.',
    ),
  ]
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(new URL('.env.example', root), await envExample())
  console.log('env:example: wrote .env.example')
}
