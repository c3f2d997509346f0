import { describe, expect, it } from 'vitest'
import * as contracts from './index.js'
import { multilineTextPattern, textPattern } from './text.js'

const hostile = ['\u0000', 'a\u0000b', '\u0001', '\u001b[31m', '\u007f', '\ud800', 'x\udfffy']

describe('the text patterns', () => {
  // Ajv and TypeBox compile patterns with the `u` flag; other OpenAPI tools may not.
  for (const flags of ['u', '']) {
    it(`refuse control characters and lone surrogates (flags "${flags}")`, () => {
      const text = new RegExp(textPattern, flags)
      const multiline = new RegExp(multilineTextPattern, flags)
      for (const value of hostile) {
        expect(text.test(value), JSON.stringify(value)).toBe(false)
        expect(multiline.test(value), JSON.stringify(value)).toBe(false)
      }
      for (const value of ['', 'Crème brûlée', '日本語', 'emoji 😀👍🏽', '\u00a0\u2028', 'a"\'<>&']) {
        expect(text.test(value), value).toBe(true)
        expect(multiline.test(value), value).toBe(true)
      }
      for (const value of ['line\nbreak', 'tab\there', 'crlf\r\n']) {
        expect(text.test(value), JSON.stringify(value)).toBe(false)
        expect(multiline.test(value), JSON.stringify(value)).toBe(true)
      }
    })
  }
})

type Schema = Record<string, unknown>

/** Every place in a request schema where a client's scalar goes, with what constrains it. */
function* scalars(schema: Schema, path: string): Generator<[string, Schema]> {
  if (schema.const !== undefined || Array.isArray(schema.enum)) return
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key] as Schema[] | undefined
    for (const [i, s] of (list ?? []).entries()) yield* scalars(s, `${path}|${i}`)
  }
  if (schema.type === 'object') {
    for (const [name, s] of Object.entries((schema.properties ?? {}) as Record<string, Schema>))
      yield* scalars(s, `${path}/${name}`)
    for (const [pattern, s] of Object.entries(
      (schema.patternProperties ?? {}) as Record<string, Schema>,
    )) {
      yield [`${path}/{key}`, { type: 'string', pattern }]
      yield* scalars(s, `${path}/*`)
    }
    if (typeof schema.additionalProperties === 'object')
      yield* scalars(schema.additionalProperties as Schema, `${path}/*`)
  } else if (schema.type === 'array') {
    yield* scalars(schema.items as Schema, `${path}/[]`)
  } else if (schema.type !== undefined) {
    yield [path, schema]
  }
}

/** Scalars of a request schema left open: text not refusing control characters, unbounded numbers. */
function unguardedScalars(schema: Schema, root: string): string[] {
  const found: string[] = []
  for (const [path, s] of scalars(schema, root)) {
    // A binary body (an upload, `format: binary`) is bytes, not text: checked by its own rules.
    if (s.type === 'string' && s.format === 'binary') continue
    if (s.type === 'string') {
      const pattern = typeof s.pattern === 'string' ? new RegExp(s.pattern, 'u') : undefined
      // C0 and DEL at least; the contracts' own patterns refuse lone surrogates as well.
      if (!pattern || ['\u0000', '\u001f', '\u007f'].some((value) => pattern.test(value)))
        found.push(`${path}: a string without a pattern refusing control characters`)
    } else if (s.type === 'integer' || s.type === 'number') {
      if (typeof s.minimum !== 'number' || typeof s.maximum !== 'number')
        found.push(`${path}: a number without minimum and maximum`)
      else if (s.maximum > Number.MAX_SAFE_INTEGER || s.minimum < -Number.MAX_SAFE_INTEGER)
        found.push(`${path}: a number bounded beyond the safe integers`)
    }
  }
  return found
}

describe('every request schema of the contracts', () => {
  const modules = { ...contracts } as Record<string, unknown>
  const requests = Object.entries(modules).flatMap(([service, module]) =>
    typeof module === 'object' && module !== null && !('type' in module)
      ? Object.entries(module as Record<string, unknown>)
          .filter(([name]) => /(Body|Query|Params|Headers)$/.test(name))
          .map(([name, schema]) => [`${service}.${name}`, schema as Schema] as const)
      : [],
  )

  it('are found (the walk sees the services)', () => {
    expect(requests.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'catalog.CreateProductBody',
        'users.RegisterBody',
        'cart.ItemParams',
      ]),
    )
  })

  it('refuse control characters in every string and bound every number', () => {
    const found = requests.flatMap(([name, schema]) => unguardedScalars(schema, name))
    expect(found).toEqual([])
  })

  it('bound prices to the documented maximum', () => {
    const { CreateProductBody } = contracts.catalog
    const price = CreateProductBody.properties.price.properties.amount as unknown as {
      maximum?: number
      description?: string
    }
    expect(price.maximum).toBe(contracts.maxPriceAmount)
    expect(price.description).toContain('10^11')
  })
})
