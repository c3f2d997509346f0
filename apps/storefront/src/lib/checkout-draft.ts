import { addressFieldNames, type AddressText } from './address'

/**
 * What the checkout keeps of what a shopper typed, so that a reload (or a trip to the cart and
 * back) loses nothing: the choice of address, a new address's fields and whether to save it, a
 * guest's e-mail, the shipping method chosen and the promotion code applied (issue 18). Kept in
 * sessionStorage (this tab only, gone with it), one draft per account ('guest' for a guest).
 * Never anything of the card: no field but these is ever read into it.
 */
export interface CheckoutDraft {
  /** A saved address's id, or 'new'. */
  choice?: string
  address: Partial<AddressText>
  save: boolean
  /** A guest's e-mail address. */
  email?: string
  /** The shipping method chosen (a quote's `methodId`). */
  shippingMethodId?: string
  /** The promotion code applied (one the shop accepted when it was applied). */
  promotionCode?: string
}

/** The id a guest's draft is kept under. */
export const guestDraftId = 'guest'

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
      ...pickChoices(parsed),
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
    ...pickChoices(draft),
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

/** The e-mail, method and code of a draft: strings of sane length, the empty ones left out. */
function pickChoices(value: {
  email?: unknown
  shippingMethodId?: unknown
  promotionCode?: unknown
}): Partial<CheckoutDraft> {
  const kept: Partial<CheckoutDraft> = {}
  const text = (field: unknown, max: number) =>
    typeof field === 'string' && field.trim() !== '' ? field.slice(0, max) : undefined
  const email = text(value.email, 254)
  const method = text(value.shippingMethodId, 200)
  const code = text(value.promotionCode, 32)
  if (email !== undefined) kept.email = email
  if (method !== undefined) kept.shippingMethodId = method
  if (code !== undefined) kept.promotionCode = code
  return kept
}
