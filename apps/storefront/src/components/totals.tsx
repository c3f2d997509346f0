import type { BreakdownRow } from '../lib/totals'

/**
 * A totals breakdown (subtotal, discount, shipping, tax, total) as a description list: each
 * row's label and value are read together.
 */
export function Breakdown({ rows }: { rows: BreakdownRow[] }) {
  return (
    <dl class="breakdown">
      {rows.map((row) => (
        <div key={row.key} class={`breakdown-row ${row.key}`} data-row={row.key}>
          <dt>{row.label}</dt>
          <dd>{row.value}</dd>
        </div>
      ))}
    </dl>
  )
}
