import type { AuthResponse, User } from '@emporium/sdk'
import { createStore } from '../lib/store'

/** The signed-in account and its tokens, kept in localStorage across reloads. */
export interface Session {
  user: User
  accessToken: string
  refreshToken: string
  /** Epoch milliseconds when the access token expires. */
  expiresAt: number
}

const storageKey = 'emporium.session'

function load(): Session | null {
  try {
    const raw = localStorage.getItem(storageKey)
    return raw ? (JSON.parse(raw) as Session) : null
  } catch {
    return null
  }
}

/** The current session (null: signed out). */
export const session = createStore<Session | null>(load())

session.subscribe((value) => {
  try {
    if (value) localStorage.setItem(storageKey, JSON.stringify(value))
    else localStorage.removeItem(storageKey)
  } catch {
    // Private mode without storage: the session lives for this page only.
  }
})

/** Starts a session from a register/login answer. */
export function startSession(auth: AuthResponse): void {
  session.set({
    user: auth.user,
    accessToken: auth.accessToken,
    refreshToken: auth.refreshToken,
    expiresAt: Date.now() + auth.expiresIn * 1000,
  })
}

// Another tab signing in or out changes this one too.
window.addEventListener('storage', (event) => {
  if (event.key === storageKey) session.set(load())
})
