import type { Money } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import {
  fetchCsv,
  readDaily,
  readTopProducts,
  type DailyReport,
  type DayRange,
} from '../api/reports'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { formatMoney } from '../lib/format'
import { DayChart } from './day-chart'
import './back-office.css'

const day = (date: Date) => date.toISOString().slice(0, 10)
const daysAgo = (n: number) => day(new Date(Date.now() - n * 86_400_000))

const percent = (ratio: number) =>
  new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(ratio)

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0)

/** The range's figures added up: what the cards above the charts show. */
function totals(report: DailyReport) {
  const days = report.days
  const money = (amount: number): Money => ({ amount, currency: report.currency })
  const orders = sum(days.map((d) => d.orders))
  const revenue = sum(days.map((d) => d.revenue.amount))
  const carts = sum(days.map((d) => d.carts))
  return {
    orders,
    revenue: money(revenue),
    averageOrderValue: money(orders > 0 ? Math.round(revenue / orders) : 0),
    refunds: sum(days.map((d) => d.refunds)),
    refundedAmount: money(sum(days.map((d) => d.refundedAmount.amount))),
    carts,
    placed: sum(days.map((d) => d.placed ?? 0)),
    conversion: carts > 0 ? orders / carts : 0,
  }
}

/** The day's figures (issue 19): orders, revenue, refunds and conversion per UTC day. */
export function AdminDashboard() {
  const [range, setRange] = useState<DayRange>({ from: daysAgo(13), to: daysAgo(0) })
  const report = useLoad((signal) => readDaily(range, signal), [range.from, range.to])
  const top = useLoad((signal) => readTopProducts(range, signal), [range.from, range.to])

  return (
    <section aria-labelledby="admin-dashboard">
      <h2 id="admin-dashboard">Dashboard</h2>
      <form
        class="filters"
        aria-label="Days to show"
        onSubmit={(event) => {
          event.preventDefault()
          const form = new FormData(event.currentTarget)
          const from = form.get('from')?.toString() || range.from
          const to = form.get('to')?.toString() || range.to
          setRange(from <= to ? { from, to } : { from: to, to: from })
        }}
      >
        <div class="field">
          <label for="dashboard-from">From (UTC)</label>
          <input id="dashboard-from" name="from" type="date" defaultValue={range.from} />
        </div>
        <div class="field">
          <label for="dashboard-to">To (UTC)</label>
          <input id="dashboard-to" name="to" type="date" defaultValue={range.to} />
        </div>
        <div class="actions">
          <button type="submit">Show</button> <CsvButton report="daily" range={range} />
        </div>
      </form>
      <LoadState state={report} />
      {report.data && <Figures report={report.data} />}
      <h3>Top products</h3>
      <LoadState state={top} />
      {top.data && top.data.length > 0 && <CsvButton report="top-products" range={range} />}
      {top.data?.length === 0 && <p>No products sold in these days.</p>}
      {top.data && top.data.length > 0 && (
        <div class="table-wrap">
          <table class="top-products">
            <thead>
              <tr>
                <th scope="col">Product</th>
                <th scope="col">Units</th>
                <th scope="col">Revenue</th>
              </tr>
            </thead>
            <tbody>
              {top.data.map((item) => (
                <tr key={`${item.productId}:${item.variantId ?? ''}`}>
                  <td>{item.name}</td>
                  <td>{item.quantity}</td>
                  <td>{formatMoney(item.revenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  )
}

function Figures({ report }: { report: DailyReport }) {
  const all = totals(report)
  const dates = report.days.map((d) => d.date)
  const money = (amount: number) => formatMoney({ amount, currency: report.currency })
  return (
    <>
      <dl class="figures" aria-label="Figures of these days">
        <div>
          <dt>Orders</dt>
          <dd>{all.orders}</dd>
        </div>
        <div>
          <dt>Revenue</dt>
          <dd>{formatMoney(all.revenue)}</dd>
        </div>
        <div>
          <dt>Average order value</dt>
          <dd>{formatMoney(all.averageOrderValue)}</dd>
        </div>
        <div>
          <dt>Refunds</dt>
          <dd>
            {all.refunds} ({formatMoney(all.refundedAmount)})
          </dd>
        </div>
        <div>
          <dt>Carts started</dt>
          <dd>{all.carts}</dd>
        </div>
        <div>
          <dt>Orders placed</dt>
          <dd>{all.placed}</dd>
        </div>
        <div>
          <dt>Conversion</dt>
          <dd>{percent(all.conversion)}</dd>
        </div>
      </dl>
      <p class="muted">
        Orders and revenue count paid orders; conversion is paid orders per cart started (a
        shopper's first item in an empty cart, abandoned carts included).
      </p>
      {report.days.length > 0 && (
        <div class="charts">
          <DayChart
            label="Orders per day"
            dates={dates}
            values={report.days.map((d) => d.orders)}
            format={(n) => String(n)}
            whole
          />
          <DayChart
            label="Revenue per day"
            dates={dates}
            values={report.days.map((d) => d.revenue.amount)}
            format={money}
          />
        </div>
      )}
      <div class="table-wrap">
        <table class="daily-figures">
          <caption>Each day (UTC)</caption>
          <thead>
            <tr>
              <th scope="col">Day</th>
              <th scope="col">Orders</th>
              <th scope="col">Revenue</th>
              <th scope="col">Average order</th>
              <th scope="col">Refunds</th>
              <th scope="col">Carts started</th>
              <th scope="col">Placed</th>
              <th scope="col">Conversion</th>
            </tr>
          </thead>
          <tbody>
            {[...report.days].reverse().map((d) => (
              <tr key={d.date}>
                <th scope="row">{d.date}</th>
                <td>{d.orders}</td>
                <td>{formatMoney(d.revenue)}</td>
                <td>{formatMoney(d.averageOrderValue)}</td>
                <td>
                  {d.refunds} ({formatMoney(d.refundedAmount)})
                </td>
                <td>{d.carts}</td>
                <td>{d.placed ?? '–'}</td>
                <td>{percent(d.conversion)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

/** Downloads a report as CSV: fetched with the session's token, saved from a Blob. */
function CsvButton({ report, range }: { report: 'daily' | 'top-products'; range: DayRange }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  async function download() {
    setBusy(true)
    setError(undefined)
    try {
      const blob = await fetchCsv(report, range)
      const url = URL.createObjectURL(blob)
      const link = document.createElement('a')
      link.href = url
      link.download = `emporium-${report}-${range.from}-${range.to}.csv`
      document.body.append(link)
      link.click()
      link.remove()
      // After the browser took the download.
      setTimeout(() => URL.revokeObjectURL(url), 60_000)
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }
  return (
    <>
      <button type="button" onClick={() => void download()} disabled={busy}>
        {busy ? 'Preparing…' : report === 'daily' ? 'Export CSV' : 'Export top products (CSV)'}
      </button>
      <ErrorMessage error={error} />
    </>
  )
}
