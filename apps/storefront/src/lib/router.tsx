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
window.addEventListener('popstate', () => location.set(read()))

/** Goes to a path of the app (history routing; the gateway serves index.html for any page). */
export function navigate(to: string, { replace = false } = {}): void {
  if (replace) history.replaceState(null, '', to)
  else history.pushState(null, '', to)
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
