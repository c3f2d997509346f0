import { EmporiumProblem } from '@emporium/sdk'
import { createStore } from '../lib/store'
import { issueGuestToken, mergeCart, type NotMergedLine } from './checkout'
import { session } from './session'

// A signed-out shopper's cart (issue 18) is a guest's: the gateway issues a cart token and keeps
// it in an HttpOnly cookie that only the API's requests carry. The page never holds the token;
// it keeps only a flag that this browser has a guest cart, so that it knows to read it.

const flagKey = 'emporium.guest-cart'

function readFlag(): boolean {
  try {
    return localStorage.getItem(flagKey) === '1'
  } catch {
    return false
  }
}

/** Whether this browser has a guest cart (its cookie may still have expired). */
export const guestCart = createStore<boolean>(readFlag())

guestCart.subscribe((value) => {
  try {
    if (value) localStorage.setItem(flagKey, '1')
    else localStorage.removeItem(flagKey)
  } catch {
    // No storage: the flag lives for this page only.
  }
})

window.addEventListener('storage', (event) => {
  if (event.key === flagKey) guestCart.set(readFlag())
})

/** A shopper who may use a cart: signed in, or a guest with a cart. */
export const isShopper = () => session.get() !== null || guestCart.get()

let issuing: Promise<void> | undefined

/** Makes sure a signed-out shopper has a guest cart (asks for a token once) before a change. */
export async function ensureGuestCart(): Promise<void> {
  if (session.get() || guestCart.get()) return
  issuing ??= issueGuestToken()
    .then(() => guestCart.set(true))
    .finally(() => (issuing = undefined))
  await issuing
}

/** Forgets the guest cart (its cookie expired or was cleared: the API answered 401). */
export function forgetGuestCart(): void {
  guestCart.set(false)
}

/**
 * Runs a cart change as the shopper: signed out, as a guest (a cart begun first when there is
 * none). A guest whose cookie has expired (401) gets a new cart, and the change is made once more.
 */
export async function asShopper<T>(change: () => Promise<T>): Promise<T> {
  await ensureGuestCart()
  try {
    return await change()
  } catch (failure) {
    if (session.get() || !(failure instanceof EmporiumProblem) || failure.status !== 401) {
      throw failure
    }
    forgetGuestCart()
    await ensureGuestCart()
    return change()
  }
}

/** What a merge at sign-in did, for the page to say. */
export interface MergeNotice {
  mergedLines: number
  notMerged: NotMergedLine[]
}

/** The last merge's outcome, said under the header until dismissed (null: nothing to say). */
export const mergeNotice = createStore<MergeNotice | null>(null)

/**
 * Right after sign-in or registration: moves the guest cart into the account's (the cookie goes
 * with the request; the gateway clears it after). A failure leaves the sign-in be: a cart token
 * that is no longer valid has nothing to move; anything else is tried at the next sign-in.
 */
export async function mergeGuestCart(): Promise<void> {
  if (!guestCart.get() || !session.get()) return
  try {
    const answer = await mergeCart()
    guestCart.set(false)
    if (answer.mergedLines > 0 || answer.notMerged.length > 0) {
      mergeNotice.set({ mergedLines: answer.mergedLines, notMerged: answer.notMerged })
    }
  } catch (failure) {
    if (
      failure instanceof EmporiumProblem &&
      failure.status >= 400 &&
      failure.status < 500 &&
      failure.status !== 429
    ) {
      guestCart.set(false)
    }
  }
}
