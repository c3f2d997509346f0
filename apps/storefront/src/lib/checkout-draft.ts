import { addressFieldNames, type AddressText } from './address'

/**
 * What the checkout keeps of what a shopper typed, so that a reload (or a trip to the cart and
 * back) loses nothing: the choice of address, a new address's fields and whether to save it.
 * Kept in sessionStorage (this tab only, gone with it), one draft per account. Never anything
 * of the card: no field but these is ever read into it.
 */
export interface CheckoutDraft {
  /** A saved address's id, or 'new'. */
  choice?: string
  address: Partial<AddressText>
  save: boolean
}

const keyOf = (userId: string) => `emporium.checkout-draft.${userId}`

const empty = (): CheckoutDraft => ({ address: {}, save: false })

function storage(): Storage | undefined {
  try {
    return sessionStorage
  } catch {
    return undefined // storage turned off: no draft
  }
}

/** The account's draft, or an empty one. */
export function loadDraft(userId: string): CheckoutDraft {
  try {
    const raw = storage()?.getItem(keyOf(userId))
    if (!raw) return empty()
    const parsed = JSON.parse(raw) as Partial<CheckoutDraft>
    return {
      ...(typeof parsed.choice === 'string' ? { choice: parsed.choice } : {}),
      address: pickAddress(parsed.address ?? {}),
      save: parsed.save === true,
    }
  } catch {
    return empty()
  }
}

/** Keeps `draft` for the account (only its address fields, whatever else it carries). */
export function saveDraft(userId: string, draft: CheckoutDraft): void {
  const kept: CheckoutDraft = {
    ...(draft.choice ? { choice: draft.choice } : {}),
    address: pickAddress(draft.address),
    save: draft.save,
  }
  try {
    storage()?.setItem(keyOf(userId), JSON.stringify(kept))
  } catch {
    // Full or refused: the checkout works without a draft.
  }
}

export function clearDraft(userId: string): void {
  try {
    storage()?.removeItem(keyOf(userId))
  } catch {
    // Nothing kept.
  }
}

function pickAddress(value: Record<string, unknown>): Partial<AddressText> {
  const address: Partial<AddressText> = {}
  for (const name of addressFieldNames) {
    const field = value[name]
    if (typeof field === 'string') address[name] = field.slice(0, 200)
  }
  return address
}
