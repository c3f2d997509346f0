import { useEffect, useRef, useState } from 'preact/hooks'
import type uPlot from 'uplot'

type UPlot = typeof uPlot

// uPlot (and its stylesheet) is a chunk of its own, fetched when the dashboard first draws a
// chart: no other page of the shop or the back office downloads it.
let loading: Promise<UPlot> | undefined
const loadUPlot = () =>
  (loading ??= Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')]).then(
    ([module]) => module.default,
  ))

/**
 * A line chart of one figure per day (UTC dates `YYYY-MM-DD`). A picture only: the table of the
 * same figures beside it is what a screen reader reads, so the chart is one labelled image.
 */
export function DayChart({
  label,
  dates,
  values,
  format,
  whole = false,
}: {
  label: string
  dates: string[]
  values: number[]
  format: (value: number) => string
  /** Counts: the axis steps by whole numbers. */
  whole?: boolean
}) {
  const box = useRef<HTMLDivElement>(null)
  const [failed, setFailed] = useState(false)
  useEffect(() => {
    let chart: uPlot | undefined
    let cancelled = false
    const resize = () => chart?.setSize({ width: box.current?.clientWidth ?? 600, height: 220 })
    loadUPlot().then(
      (UPlot) => {
        if (cancelled || !box.current) return
        const xs = dates.map((date) => Date.parse(`${date}T00:00:00Z`) / 1000)
        chart = new UPlot(
          {
            width: box.current.clientWidth || 600,
            height: 220,
            legend: { show: false },
            cursor: { show: false },
            tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
            scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max) * 1.1] } },
            axes: [
              {},
              {
                values: (_u, ticks) => ticks.map(format),
                size: 70,
                ...(whole ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] } : {}),
              },
            ],
            series: [
              {},
              {
                label,
                stroke: '#1f4e79',
                width: 2,
                fill: 'rgba(31, 78, 121, 0.12)',
                points: { show: true },
              },
            ],
          },
          [xs, values],
          box.current,
        )
        window.addEventListener('resize', resize)
      },
      () => setFailed(true),
    )
    return () => {
      cancelled = true
      window.removeEventListener('resize', resize)
      chart?.destroy()
    }
  }, [dates.join(), values.join()])
  return (
    <figure class="day-chart">
      <figcaption>{label}</figcaption>
      {failed ? (
        <p class="muted">The chart could not be loaded; the table below has the same figures.</p>
      ) : (
        <div ref={box} role="img" aria-label={`${label}: a chart of the table's figures`} />
      )}
    </figure>
  )
}
