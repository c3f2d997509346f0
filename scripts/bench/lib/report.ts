// What a benchmark reports: tables of figures and the ratios between contenders of the same
// run (with the issue's target when there is one), printed as Markdown for docs/performance.md.

export interface Table {
  title: string
  columns: string[]
  rows: Array<Array<string | number>>
}

export interface Ratio {
  name: string
  value: number
  /** `×` for a ratio, else a unit (ms, µs, /s, MB, s). */
  unit: string
  /** The target, e.g. `>= 0.5`; compared with `value`. */
  target?: { op: '>=' | '<='; value: number }
  note?: string
}

export interface Section {
  name: string
  title: string
  /** How it was measured, in one or two sentences. */
  method: string
  tables: Table[]
  ratios: Ratio[]
  notes: string[]
}

export function met(ratio: Ratio): boolean | undefined {
  if (!ratio.target || !Number.isFinite(ratio.value)) return undefined
  return ratio.target.op === '>='
    ? ratio.value >= ratio.target.value
    : ratio.value <= ratio.target.value
}

/** Significant but short: 3 digits for small numbers, whole numbers above 100. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return 'n/a'
  const abs = Math.abs(value)
  if (abs >= 100) return Math.round(value).toLocaleString('en-US')
  if (abs >= 10) return value.toFixed(1)
  if (abs >= 1) return value.toFixed(2)
  return value.toFixed(3)
}

function cell(value: string | number): string {
  return typeof value === 'number' ? fmt(value) : value
}

export function markdownTable(table: Table): string {
  const lines = [
    `| ${table.columns.join(' | ')} |`,
    `|${table.columns.map(() => '---').join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ]
  return lines.join('\n')
}

export function markdownSection(section: Section): string {
  const parts = [`### ${section.title}`, section.method]
  for (const table of section.tables) parts.push(`**${table.title}**\n\n${markdownTable(table)}`)
  if (section.ratios.length > 0) {
    const rows = section.ratios.map((ratio) => {
      const verdict = met(ratio)
      const target = ratio.target ? `${ratio.target.op} ${fmt(ratio.target.value)}` : ''
      return [
        ratio.name,
        `${fmt(ratio.value)}${ratio.unit === '×' ? '×' : ` ${ratio.unit}`}`,
        target,
        verdict === undefined ? '' : verdict ? 'met' : '**missed**',
        ratio.note ?? '',
      ]
    })
    parts.push(
      `**Ratios**\n\n${markdownTable({ title: '', columns: ['ratio', 'value', 'target', '', 'note'], rows })}`,
    )
  }
  if (section.notes.length > 0) parts.push(section.notes.map((n) => `- ${n}`).join('\n'))
  return parts.join('\n\n')
}

/** Percentile of a sorted array (ms). */
export function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
}
