import type { ComponentChildren } from 'preact'
import { useCallback, useEffect, useState } from 'preact/hooks'
import { EmporiumProblem } from '@emporium/sdk'
import { messageOf } from '../api/client'
import { canRetry, isTooManyDeclines } from '../api/problems'

/** An error shown to a person; 429 counts down its `retry-after`. */
export function ErrorMessage({ error }: { error: unknown }) {
  const wait =
    error instanceof EmporiumProblem && error.status === 429 && !isTooManyDeclines(error)
      ? (error.retryAfter ?? 1)
      : 0
  const [left, setLeft] = useState(wait)
  useEffect(() => {
    setLeft(wait)
    if (!wait) return
    const timer = setInterval(() => setLeft((n) => Math.max(0, n - 1)), 1000)
    return () => clearInterval(timer)
  }, [error, wait])
  if (!error) return null
  const text =
    wait > 0
      ? left > 0
        ? `Slow down: too many requests. Please wait ${left} s and try again.`
        : 'You can try again now.'
      : messageOf(error)
  return (
    <p class="notice error" role="alert">
      {text}
    </p>
  )
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status">
      {label}
    </p>
  )
}

export function Notice({ children }: { children: ComponentChildren }) {
  return (
    <p class="notice info" role="status">
      {children}
    </p>
  )
}

/** The state of one asynchronous load: data, error, loading, and a way to run it again. */
export interface Loaded<T> {
  data: T | undefined
  error: unknown
  loading: boolean
  reload: () => void
  setData: (data: T) => void
}

/**
 * Runs `load` when `deps` change; ignores answers that arrive after a newer load began. What
 * `initial` gives (e.g. what a history entry kept) is the data until the first answer.
 */
export function useLoad<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
  initial?: () => T | undefined,
): Loaded<T> {
  const [data, setData] = useState<T | undefined>(initial)
  const [error, setError] = useState<unknown>(undefined)
  const [loading, setLoading] = useState(true)
  const [round, setRound] = useState(0)
  useEffect(() => {
    const controller = new AbortController()
    setLoading(true)
    setError(undefined)
    load(controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return
        setData(value)
        setLoading(false)
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return
        setError(failure)
        setLoading(false)
      },
    )
    return () => controller.abort()
  }, [...deps, round])
  const reload = useCallback(() => setRound((n) => n + 1), [])
  return { data, error, loading, reload, setData }
}

/**
 * Grey placeholders of `count` product cards while a grid loads: the page keeps its shape (no
 * jump when the products arrive), and a screen reader hears one 'Loading products…'.
 */
export function ProductGridSkeleton({ count }: { count: number }) {
  return (
    <div class="skeleton-wrap">
      <p class="visually-hidden" role="status">
        Loading products…
      </p>
      <ul class="grid skeleton" aria-hidden="true" data-testid="grid-skeleton">
        {Array.from({ length: count }, (_, i) => (
          <li key={i} class="card">
            <span class="bone picture" />
            <span class="bone line" />
            <span class="bone line short" />
          </li>
        ))}
      </ul>
    </div>
  )
}

/** The product page's shape while the product loads. */
export function ProductSkeleton() {
  return (
    <div class="skeleton-wrap">
      <p class="visually-hidden" role="status">
        Loading the product…
      </p>
      <div class="product skeleton" aria-hidden="true" data-testid="product-skeleton">
        <span class="bone picture" />
        <div>
          <span class="bone title" />
          <span class="bone line short" />
          <span class="bone line" />
          <span class="bone line" />
          <span class="bone line short" />
        </div>
      </div>
    </div>
  )
}

/** Loading or error for a load that has no data yet; null once there is data. */
export function LoadState({
  state,
  placeholder,
}: {
  state: Pick<Loaded<unknown>, 'data' | 'error' | 'loading' | 'reload'>
  /** Shown while loading instead of 'Loading…' (a skeleton of what comes). */
  placeholder?: ComponentChildren
}) {
  if (state.error) {
    return (
      <div>
        <ErrorMessage error={state.error} />
        {/* Only where the same request may succeed later: a 4xx would fail the same way. */}
        {canRetry(state.error) && (
          <button type="button" onClick={state.reload}>
            Try again
          </button>
        )}
      </div>
    )
  }
  if (state.loading && state.data === undefined) return <>{placeholder ?? <Loading />}</>
  return null
}

/** The page's title, for the tab and for screen readers. */
export function useTitle(title: string) {
  useEffect(() => {
    document.title = title ? `${title} · Emporium` : 'Emporium'
  }, [title])
}
