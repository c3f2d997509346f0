// `.env.example` is generated from the config schemas (scripts/env-example.ts), and the
// distributed mode loads it as real settings: it must be current, list every variable, and set
// nothing but the distributed mode's own settings.
import { readFileSync } from 'node:fs'
import { parseEnv } from 'node:util'
import { describe, expect, it } from 'vitest'
import { loadConfig } from '@emporium/platform'
import { declaredEnvironment } from './distributed-env.js'
import { distributedSettings, envExample, envGroups } from './env-example.js'

const committed = readFileSync(new URL('../.env.example', import.meta.url), 'utf8')
const groups = await envGroups()
/** Each variable's lines, commented out or not, as `NAME=value` a dotenv parser reads. */
const listed = (text: string) =>
  text
    .split('\n')
    .filter((line) => /^(# )?[A-Z][A-Z0-9_]*=/.test(line))
    .map((line) => line.replace(/^# /, ''))

describe('.env.example', () => {
  it('is what `npm run env:example` writes from the config schemas', async () => {
    expect(
      committed,
      '.env.example is stale: run `npm run env:example` and commit the result',
    ).toBe(await envExample())
  })

  it.each(groups)('lists every variable of $title', (group) => {
    const names = new Set(listed(committed).map((line) => line.split('=')[0]))
    for (const name of Object.keys(group.schema.properties)) expect(names).toContain(name)
  })

  it('sets only the settings of the distributed mode when loaded', () => {
    expect(parseEnv(committed)).toEqual(distributedSettings)
  })

  it.each(groups)('shows the defaults of $title in its commented-out lines', async (group) => {
    // Uncommented, a group's lines of defaults load to the configuration nothing set would:
    // the values the required variables get from the declaration stay as they are.
    const section = (await envExample()).split(/^# =+\n/m)
    const text = section[section.findIndex((s) => s.startsWith(`# ${group.title}:`)) + 1]!
    const required = (group.schema.required ?? []).filter(
      (name) => (group.schema.properties[name] as { default?: unknown }).default === undefined,
    )
    const declared = Object.fromEntries(
      Object.entries(declaredEnvironment()).filter(([name]) => required.includes(name)),
    )
    const defaults = Object.fromEntries(
      Object.entries(parseEnv(listed(text).join('\n'))).filter(
        ([name]) => !(name in distributedSettings),
      ),
    )
    expect(group.names.length).toBeGreaterThan(0)
    expect(loadConfig(group.schema, { ...defaults, ...declared })).toEqual(
      loadConfig(group.schema, declared),
    )
  })

  it('gives no secret a value that looks usable', () => {
    const secret = /(_KEYS?|SECRET|PASSWORD)$/
    // Keys and passwords are empty or a placeholder, and no secret's default is written out.
    for (const line of listed(committed)) {
      const [name, value] = Object.entries(parseEnv(line))[0]!
      if (secret.test(name)) expect(value, name).toMatch(/^(change-me.*)?$/)
    }
    for (const group of groups) {
      for (const [name, property] of Object.entries(group.schema.properties)) {
        const fallback = (property as { default?: unknown }).default
        if (secret.test(name) && fallback) expect(committed).not.toContain(String(fallback))
      }
    }
  })
})
