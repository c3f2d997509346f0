import type { ComponentChildren, JSX } from 'preact'
import { createStore, useStore } from './store'

/** The current location: path and query. */
export interface Location {
  path: string
  query: URLSearchParams
}

const read = (): Location => ({
  path: window.location.pathname,
  query: new URLSearchParams(window.location.search),
})

const location = createStore<Location>(read())

// Each history entry keeps its own scroll position (`scrollY` in its state, saved when the app
// leaves it), put back by the app on Back and Forward: the browser's own restoration runs before
// a page has rendered what it restores, and lands short.
if ('scrollRestoration' in history) history.scrollRestoration = 'manual'
window.addEventListener('popstate', () => {
  location.set(read())
  restoreScroll(Number((history.state as EntryState | null)?.scrollY ?? 0))
})

let restoring = 0

/**
 * Scrolls to `y` once the page has rendered what it restored from the entry: on the next frame,
 * and again on later frames (for up to about a second) while the page is still too short to
 * reach `y` — unless the shopper scrolls or leaves first. Once there, later changes of the
 * page's height above the view are the browser's scroll anchoring's to follow.
 */
function restoreScroll(y: number): void {
  const mine = ++restoring
  let frames = 60
  let done = false
  const stop = () => (done = true)
  const events = ['wheel', 'touchstart', 'keydown'] as const
  for (const event of events) window.addEventListener(event, stop, { once: true, passive: true })
  const step = () => {
    if (mine !== restoring) done = true
    if (!done) {
      window.scrollTo(0, y)
      if (window.scrollY >= y - 1) done = true
    }
    if (!done && --frames > 0) requestAnimationFrame(step)
    else for (const event of events) window.removeEventListener(event, stop)
  }
  requestAnimationFrame(step)
}

/** What the app keeps in a history entry's state. */
export type EntryState = Record<string, unknown> & { scrollY?: number }

/** The current history entry's state, as the app left it there. */
export const entryState = (): EntryState => (history.state as EntryState | null) ?? {}

/** Merges `patch` into the current history entry's state (the URL stays). */
export function saveEntryState(patch: EntryState): void {
  history.replaceState({ ...entryState(), ...patch }, '')
}

/** Goes to a path of the app (history routing; the gateway serves index.html for any page). */
export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', to)
  else {
    saveEntryState({ scrollY: window.scrollY })
    history.pushState(null, '', to)
  }
  restoring++
  location.set(read())
  window.scrollTo(0, 0)
}

export const useLocation = () => useStore(location)

/** Matches `path` against a pattern like `/orders/:id`; the named segments, or undefined. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean)
  const have = path.split('/').filter(Boolean)
  if (want.length !== have.length) return undefined
  const params: Record<string, string> = {}
  for (const [i, segment] of want.entries()) {
    const actual = have[i]!
    if (segment.startsWith(':')) params[segment.slice(1)] = decodeURIComponent(actual)
    else if (segment !== actual) return undefined
  }
  return params
}

type AnchorProps = JSX.HTMLAttributes<HTMLAnchorElement> & {
  href: string
  children?: ComponentChildren
}

/** An anchor that navigates within the app (a modified click opens a tab as usual). */
export function Link({ href, children, ...rest }: AnchorProps) {
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0) return
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return
    event.preventDefault()
    navigate(href)
  }
  return (
    <a href={href} onClick={onClick} {...rest}>
      {children}
    </a>
  )
}
