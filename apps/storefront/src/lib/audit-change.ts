// An audit record's `before` and `after` (any JSON, or null) as short lines a person reads:
// for two objects, only the fields that changed; money as money; anything else as compact JSON.
import { formatMoney } from './format'

type Money = { amount: number; currency: string }

const isMoney = (value: unknown): value is Money =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Money).amount === 'number' &&
  typeof (value as Money).currency === 'string' &&
  Object.keys(value).length === 2

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isMoney(value)

/** A value in a few words: money in its currency, text as it is, the rest as JSON (cut short). */
export function valueWords(value: unknown): string {
  if (value === null || value === undefined) return '—'
  if (isMoney(value)) return formatMoney(value)
  if (typeof value === 'string') return value
  const json = JSON.stringify(value)
  return json.length > 120 ? `${json.slice(0, 119)}…` : json
}

/** One line of a change: the field (none for a whole value), before and after in words. */
export interface ChangeLine {
  field?: string
  before: string
  after: string
}

/** What changed from `before` to `after`. */
export function changeLines(before: unknown, after: unknown): ChangeLine[] {
  if (isRecord(before) && isRecord(after)) {
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    return fields
      .filter((field) => JSON.stringify(before[field]) !== JSON.stringify(after[field]))
      .map((field) => ({
        field,
        before: valueWords(before[field]),
        after: valueWords(after[field]),
      }))
  }
  return [{ before: valueWords(before), after: valueWords(after) }]
}
