import fc from 'fast-check'

/*
 * Hostile values for the fuzz test, and requests built from an OpenAPI operation: every path,
 * query, header and body field gets either a plausible value (to reach deeper code) or a hostile
 * one (control characters, huge and odd numbers, dates databases refuse, wrong types…).
 */

export type Schema = Record<string, unknown>
export type Document = { paths: Record<string, Record<string, Operation>>; components?: Schema }
export interface Operation {
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  security?: unknown[]
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Cursors that decode, holding values JavaScript accepts and databases refuse. */
const forgedCursors = [
  b64(['+275760-09-13T00:00:00.000Z', 'x']),
  b64(['0000-01-01T00:00:00.000Z', 'x']),
  b64(['2026-01-01T00:00:00.000Z', 'a\u0000b']),
  b64(['newest', '+275760-09-13T00:00:00.000Z', 'x']),
  b64(['newest', '0000-12-31T00:00:00.000Z', 'x']),
  b64(['price_asc', 1e20, 'x']),
  b64(['price_desc', 1e20, 'x\u0000']),
  b64(['relevance', '1e999', 'x']),
  b64([null, null]),
  b64({}),
]

const oddStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '\\u0000',
  '\u0001\u0002\u001f',
  '\u001b[31mred',
  '\u007f',
  '\u0085',
  '\ud800',
  'x\udfffy',
  '\ufeff',
  '\uffff',
  '\u202eevil',
  '\u2028\u2029',
  '😀'.repeat(300),
  'Z͑ͫ̓ͪ̂ͫ̽͏̴̙̤̞͉͚̯̞̠͍',
  "' OR 1=1 --",
  '"; drop table products; --',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  '//evil.example/x.png',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '0',
  '1e308',
  '-1e308',
  '99999999999999999999',
  '9007199254740993',
  '0x10',
  '1.5',
  'true',
  '[]',
  '{}',
  '0000-00-00',
  '0000-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '2026-02-30T25:61:61Z',
  'x'.repeat(300),
  'y'.repeat(70_000),
  ...forgedCursors,
]

// Any UTF-16 code unit, lone surrogates included.
const anyUnit = fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n))

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...oddStrings) },
  { weight: 2, arbitrary: fc.string({ unit: anyUnit, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map((s) => `${s}\u0000${s}`) },
)

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(-1, 0, -0, 0.5, 1.5, 1e308, -1e308, 1e20, 2 ** 53, 2 ** 53 + 2, 2 ** 63, 2 ** 31),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
)

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(null, true, false, [], {}, [[[[[]]]]], { $gt: '' }, ['a', 'b'], { a: { b: 1 } }),
  hostileString,
  hostileNumber,
)

/** A hostile value of any kind: what goes in a field the property chose to attack. */
export const hostile: fc.Arbitrary<unknown> = fc.oneof(hostileString, hostileNumber, wrongType)

/** Values that look right for a field, so that a request can get past validation. */
function plausible(schema: Schema, knownIds: string[], depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const)
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]))
  for (const key of ['anyOf', 'oneOf'] as const) {
    const list = schema[key] as Schema[] | undefined
    if (list?.length) return fc.oneof(...list.map((s) => plausible(s, knownIds, depth)))
  }
  switch (schema.type) {
    case 'string': {
      const max = Math.min(Number(schema.maxLength ?? 30), 30)
      const min = Math.min(Number(schema.minLength ?? 0), max)
      if (schema.format === 'email') return fc.emailAddress()
      if (schema.format === 'date-time') return fc.constant(new Date().toISOString())
      const pattern = String(schema.pattern ?? '')
      if (pattern === '^[A-Z]{3}$') return fc.constantFrom('USD', 'EUR', 'XXX')
      if (pattern === '^[A-Z]{2}$') return fc.constantFrom('US', 'FR', 'ZZ')
      if (pattern.startsWith('^[0-9]'))
        return fc.constantFrom('4242424242424242', '4000000000000002', '123', '1234')
      const text = fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, 1) })
      return knownIds.length ? fc.oneof(fc.constantFrom(...knownIds), text) : text
    }
    case 'integer':
    case 'number': {
      const min = typeof schema.minimum === 'number' ? schema.minimum : -1000
      const max = typeof schema.maximum === 'number' ? schema.maximum : 1000
      return fc.oneof(
        fc.constantFrom(min, max),
        fc.integer({ min: Math.max(min, -1e6), max: Math.max(Math.min(max, 1e6), min) }),
      )
    }
    case 'boolean':
      return fc.boolean()
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(plausible((schema.items ?? {}) as Schema, knownIds, depth + 1), { maxLength: 3 })
    case 'object':
      return depth > 3 ? fc.constant({}) : objectOf(schema, knownIds, depth + 1)
    default:
      return wrongType
  }
}

/** An object of a schema: its required fields, some optional ones; all plausible. */
function objectOf(schema: Schema, knownIds: string[], depth: number): fc.Arbitrary<unknown> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>
  const required = new Set((schema.required ?? []) as string[])
  const entries = Object.entries(properties).map(([name, s]) =>
    fc
      .tuple(fc.constant(name), plausible(s, knownIds, depth), fc.nat(9))
      .map(([n, v, roll]) => (required.has(n) || roll < 5 ? ([n, v] as const) : undefined)),
  )
  return fc.tuple(...entries).map((pairs) => {
    const object: Record<string, unknown> = {}
    for (const pair of pairs) if (pair) object[pair[0]] = pair[1]
    return object
  })
}

export interface FuzzRequest {
  method: string
  path: string
  query: Array<[string, string]>
  headers: Record<string, string>
  /** JSON text, raw text, or nothing. */
  body?: string
  as: 'admin' | 'shopper' | 'none'
  /** Which field was attacked, and how. */
  attack: string
}

const asText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value))

/** Paths to every value inside a JSON value (not the root itself). */
function innerPaths(
  value: unknown,
  prefix: Array<string | number> = [],
): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return []
  const keys: Array<string | number> = Array.isArray(value)
    ? value.map((_, i) => i)
    : Object.keys(value as object)
  return keys.flatMap((key) => [
    [...prefix, key],
    ...innerPaths((value as Record<string | number, unknown>)[key], [...prefix, key]),
  ])
}

const Attack = fc.record({
  target: fc.nat(),
  mode: fc.constantFrom('replace', 'replace', 'replace', 'replace', 'drop', 'extra', 'body'),
  value: hostile,
  garbage: fc.constantFrom('', '{', '{"a":', 'null', '\u0000', '[]', '"x"', '1e999'),
  extraKey: fc.constantFrom('role', 'roles', 'admin', '__proto__', 'id', 'userId', 'x\u0000'),
})

/**
 * A request to one operation: plausible values everywhere (real ids among them, so that it can
 * get past validation and lookups), then one attack: a path, query, header or body field made
 * hostile or left out, a field added, or the whole body replaced by garbage.
 */
export function requestFor(
  method: string,
  template: string,
  operation: Operation,
  knownIds: string[],
): fc.Arbitrary<FuzzRequest> {
  const parameters = operation.parameters ?? []
  const params = parameters.map((p) =>
    fc
      .tuple(plausible(p.schema ?? {}, knownIds, 0), fc.nat(9))
      .map(([value, roll]) =>
        p.required || p.in === 'path' || roll < 5 ? asText(value) : undefined,
      ),
  )
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema
  const plainBody: fc.Arbitrary<unknown> = bodySchema
    ? objectOf(bodySchema, knownIds, 0)
    : fc.constant(undefined)
  const as = fc.constantFrom<FuzzRequest['as']>('admin', 'admin', 'shopper', 'shopper', 'none')
  return fc.tuple(fc.tuple(...params), plainBody, Attack, as).map(([values, body, attack, who]) => {
    const paramValues: Array<string | undefined> = [...values]
    const paths = innerPaths(body)
    const targets = parameters.length + paths.length
    let raw: string | undefined
    let what = `${attack.mode}`
    if (attack.mode === 'body' || targets === 0) {
      raw = attack.target % 2 === 0 ? attack.garbage : (JSON.stringify(attack.value) ?? 'null')
      what = 'whole body'
    } else {
      const index = attack.target % targets
      if (index < parameters.length) {
        const parameter = parameters[index]!
        what += ` ${parameter.in}:${parameter.name}`
        paramValues[index] = attack.mode === 'drop' ? undefined : asText(attack.value)
      } else {
        const path = paths[index - parameters.length]!
        what += ` body/${path.join('/')}`
        let parent = body as Record<string | number, unknown>
        for (const key of path.slice(0, -1))
          parent = parent[key] as Record<string | number, unknown>
        const last = path[path.length - 1]!
        if (attack.mode === 'drop' && !Array.isArray(parent)) delete parent[last]
        else if (attack.mode === 'extra' && !Array.isArray(parent))
          Object.defineProperty(parent, attack.extraKey, { value: attack.value, enumerable: true })
        else parent[last] = attack.value
      }
    }
    let path = template
    const query: Array<[string, string]> = []
    const headers: Record<string, string> = {}
    parameters.forEach((parameter, i) => {
      const value = paramValues[i]
      if (value === undefined) return
      if (parameter.in === 'path') path = path.replace(`{${parameter.name}}`, encodePath(value))
      else if (parameter.in === 'query') query.push([parameter.name, value])
      else if (parameter.in === 'header') headers[parameter.name] = value
    })
    // A path parameter left out still needs a segment (else it is another route).
    path = path.replace(/\{[^}]+\}/g, 'missing')
    const text = raw ?? (body === undefined ? undefined : JSON.stringify(body))
    return { method: method.toUpperCase(), path, query, headers, body: text, as: who, attack: what }
  })
}

/**
 * Percent-encodes every code unit, a lone surrogate as the bytes a careless encoder would send
 * (WTF-8: invalid UTF-8), where `encodeURIComponent` would throw. `.` is encoded too, so that
 * `..` reaches the server rather than being resolved away by the URL parser.
 */
export function percentEncode(value: string): string {
  let out = ''
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    const next = value.charCodeAt(i + 1)
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      out += encodeURIComponent(value.slice(i, i + 2))
      i++
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('')
    } else {
      out += value[i] === '.' ? '%2E' : encodeURIComponent(value[i]!)
    }
  }
  return out
}

function encodePath(value: string): string {
  return percentEncode(value.slice(0, 3000))
}
