import Type from 'typebox'

/*
 * The scalars every request schema is built from, so that a rule about what a client may send
 * is written once and a new route inherits it. Control characters never reach a database:
 * PostgreSQL refuses a NUL in text (SQLSTATE 22021) and jsonb, and the others only make trouble
 * in logs, e-mails and CSV exports. Lone UTF-16 surrogates (`"\ud800"` in JSON) are refused too:
 * they are not Unicode text and are silently mangled on the way to UTF-8.
 */

// A code unit that is not a C0 control, DEL or a surrogate, or a well-formed surrogate pair.
// Written so that it means the same with and without the regular expression's `u` flag.
const safeUnit = String.raw`[^\u0000-\u001F\u007F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]`
const safeMultilineUnit = String.raw`[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF]`

/** Pattern of single-line text: no control character (C0, DEL) and no lone surrogate. */
export const textPattern = `^(?:${safeUnit})*$`
/** Pattern of multi-line text: as `textPattern`, but tab, line feed and carriage return pass. */
export const multilineTextPattern = `^(?:${safeMultilineUnit})*$`

const textNote = 'No control characters.'

type StringOptions = Parameters<typeof Type.String>[0]

function describe(options: StringOptions, note: string): StringOptions {
  const description = options?.description
  return { ...options, description: description ? `${description} ${note}` : note }
}

/** A single-line string a client sends: control characters and lone surrogates are a 400. */
export function Text(options: StringOptions = {}) {
  return Type.String({ ...describe(options, textNote), pattern: textPattern })
}

/** A multi-line string a client sends (a description): as `Text`, but tab, CR and LF pass. */
export function MultilineText(options: StringOptions = {}) {
  const note = 'No control characters but tab, CR and LF.'
  return Type.String({ ...describe(options, note), pattern: multilineTextPattern })
}

/** An opaque id in a path, query or body: 1 to 64 characters of `Text`. */
export function Id(options: StringOptions = {}) {
  return Text({ description: 'Opaque id.', ...options, minLength: 1, maxLength: 64 })
}

/** `?cursor=`: an opaque cursor from a previous page's `nextCursor`, at most 512 characters. */
export const CursorParam = Text({
  maxLength: 512,
  description: "Opaque cursor from a previous page's `nextCursor`.",
})

/**
 * An instant in a query (RFC 3339 with a time zone, e.g. `2026-12-03T00:00:00Z`): the format is
 * checked as a date-time, and the pattern keeps anything else (control characters) out first.
 */
export function DateTimeParam(options: StringOptions = {}) {
  return Type.String({
    ...options,
    format: 'date-time',
    maxLength: 40,
    pattern:
      '^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})$',
  })
}

/**
 * The greatest unit price, in minor units (10^11: a billion dollars in cents). The largest cart
 * (100 lines of 99 units) at this price still totals below 2^53, so every sum stays exact.
 */
export const maxPriceAmount = 100_000_000_000

/** An amount of money in minor units as a client sends it: 0 to `maxPriceAmount`. */
export const PriceAmount = Type.Integer({
  minimum: 0,
  maximum: maxPriceAmount,
  description: 'Minor units (cents for USD), 0 to 100000000000 (10^11).',
})

/** A pattern of 1 to `max` characters of `Text`: for a record's keys (a schema of keys takes no length). */
export function textKeyPattern(max: number): string {
  return `^(?:${safeUnit}){1,${max}}$`
}

/** What an attribute's name may be: 1 to 64 characters of `Text`. */
const attributeKeyPattern = textKeyPattern(64)
const AttributeScalar = Type.Union([
  Text({ maxLength: 1000 }),
  Type.Number({ minimum: -1e15, maximum: 1e15 }),
  Type.Boolean(),
  Type.Null(),
])

/**
 * Free-form attributes of a record (colour, size…): at most 50, named by 1 to 64 characters of
 * text, each a string (up to 1000 characters), number, boolean, null or a list of up to 50 of
 * those. Nothing deeper: it is stored as JSON and must stay small and printable.
 */
export const Attributes = Type.Record(
  Type.String({ pattern: attributeKeyPattern }),
  Type.Union([AttributeScalar, Type.Array(AttributeScalar, { maxItems: 50 })]),
  {
    additionalProperties: false,
    maxProperties: 50,
    description:
      'Free-form attributes (colour, size…): up to 50, each a string, number, boolean, null ' +
      'or a list of up to 50 of those.',
  },
)
