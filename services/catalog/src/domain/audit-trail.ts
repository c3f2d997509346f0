import { audit, type catalog } from '@emporium/contracts'

/**
 * The staff member behind a back-office change (issue 19): the verified caller's id and roles.
 * The stores record `audit.recorded` with the change when they are given one; system writes
 * (the demo seed, the saga's reservations) pass none and are not audited.
 */
export type Actor = { userId: string; roles: readonly string[] }

type Audit = audit.AuditRecordedData

type Money = { amount: number; currency: string }

/** What the audit trail reads of a product as stored (the store's ProductView). */
export interface AuditedProduct {
  id: string
  sku: string
  name: string
  description: string
  price: Money
  category: { id: string }
  imageUrl: string
  attributes: unknown
  status: string
  taxClass: string
}

/** A variant as written (the store's NewVariant). */
export interface AuditedNewVariant {
  id: string
  sku: string
  options: Record<string, string>
  priceAmount: number
  onHand: number
  weightGrams: number
}

/** A product as written (the store's NewProduct). */
export interface AuditedNewProduct {
  id: string
  sku: string
  name: string
  currency: string
  categoryId: string
  status?: string
  taxClass?: string
  variants: AuditedNewVariant[]
  now: Date
}
type Fields = Record<string, unknown>

/**
 * The fields of `after` that differ from `before`, each side holding only those (with `keep`,
 * e.g. a variant's id, on both sides); undefined when nothing changed.
 */
export function changedFields(
  before: Fields,
  after: Fields,
  keep: Fields = {},
): { before: Fields; after: Fields; keys: string[] } | undefined {
  const keys = Object.keys(after).filter(
    (k) => JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null),
  )
  if (keys.length === 0) return undefined
  const pick = (from: Fields) => ({ ...keep, ...Object.fromEntries(keys.map((k) => [k, from[k]])) })
  return { before: pick(before), after: pick(after), keys }
}

const product = (id: string) => ({ type: 'product', id })

/** What a staff member changes of a product itself. */
function productFields(view: AuditedProduct): Fields {
  return {
    name: view.name,
    description: view.description,
    price: view.price,
    categoryId: view.category.id,
    imageUrl: view.imageUrl,
    attributes: view.attributes,
    status: view.status,
    taxClass: view.taxClass,
  }
}

/** `product.created`: its key fields and its variants' SKU, price and stock. */
export function productCreated(actor: Actor, p: AuditedNewProduct): Audit {
  const money = (amount: number) => ({ amount, currency: p.currency })
  return audit.auditRecorded(
    actor,
    'product.created',
    product(p.id),
    null,
    {
      sku: p.sku,
      name: p.name,
      categoryId: p.categoryId,
      status: p.status ?? 'published',
      taxClass: p.taxClass,
      variants: p.variants.map((v) => ({
        variantId: v.id,
        sku: v.sku,
        price: money(v.priceAmount),
        onHand: v.onHand,
      })),
    },
    p.now,
  )
}

/**
 * A product's change: its changed fields only. `product.price-changed` when the price is among
 * them, else `product.published` / `product.drafted` when its status is, else
 * `product.updated`; undefined when nothing changed.
 */
export function productChanged(
  actor: Actor,
  before: AuditedProduct,
  after: AuditedProduct,
  at: Date,
): Audit | undefined {
  const diff = changedFields(productFields(before), productFields(after))
  if (!diff) return undefined
  const action = diff.keys.includes('price')
    ? 'product.price-changed'
    : diff.keys.includes('status')
      ? after.status === 'draft'
        ? 'product.drafted'
        : 'product.published'
      : 'product.updated'
  return audit.auditRecorded(actor, action, product(after.id), diff.before, diff.after, at)
}

/** `product.deleted` (soft): what it was, nothing after. */
export function productDeleted(actor: Actor, before: AuditedProduct, at: Date): Audit {
  return audit.auditRecorded(
    actor,
    'product.deleted',
    product(before.id),
    { sku: before.sku, name: before.name, status: before.status },
    null,
    at,
  )
}

/** `variant.created` on its product: its SKU, options, price, stock and weight. */
export function variantCreated(
  actor: Actor,
  productId: string,
  currency: string,
  v: AuditedNewVariant,
  at: Date,
): Audit {
  return audit.auditRecorded(
    actor,
    'variant.created',
    product(productId),
    null,
    {
      variantId: v.id,
      sku: v.sku,
      options: v.options,
      price: { amount: v.priceAmount, currency },
      onHand: v.onHand,
      weightGrams: v.weightGrams,
    },
    at,
  )
}

const variantFields = (v: catalog.Variant): Fields => ({
  sku: v.sku,
  price: v.price,
  imageUrl: v.imageUrl,
  weightGrams: v.weightGrams,
})

/**
 * A variant's change, on its product: its changed fields with its id. `variant.price-changed`
 * when the price is among them, else `variant.updated`; undefined when nothing changed.
 */
export function variantChanged(
  actor: Actor,
  productId: string,
  before: catalog.Variant,
  after: catalog.Variant,
  at: Date,
): Audit | undefined {
  const diff = changedFields(variantFields(before), variantFields(after), { variantId: after.id })
  if (!diff) return undefined
  const action = diff.keys.includes('price') ? 'variant.price-changed' : 'variant.updated'
  return audit.auditRecorded(actor, action, product(productId), diff.before, diff.after, at)
}

/** `stock.adjusted`: a variant's on-hand units before and after; undefined when unchanged. */
export function stockAdjusted(
  actor: Actor,
  stock: { productId: string; variantId: string; before: number; after: number },
  at: Date = new Date(),
): Audit | undefined {
  if (stock.before === stock.after) return undefined
  const { productId, variantId } = stock
  return audit.auditRecorded(
    actor,
    'stock.adjusted',
    product(productId),
    { variantId, onHand: stock.before },
    { variantId, onHand: stock.after },
    at,
  )
}

type CategoryFields = Pick<catalog.Category, 'id' | 'name' | 'slug'>

/** `category.created` / `category.updated` (its changed fields; undefined when none). */
export function categoryWritten(
  actor: Actor,
  before: CategoryFields | null,
  after: CategoryFields,
  at: Date = new Date(),
): Audit | undefined {
  const entity = { type: 'category', id: after.id }
  const fields = (c: CategoryFields) => ({ name: c.name, slug: c.slug })
  if (before === null) {
    return audit.auditRecorded(actor, 'category.created', entity, null, fields(after), at)
  }
  const diff = changedFields(fields(before), fields(after))
  if (!diff) return undefined
  return audit.auditRecorded(actor, 'category.updated', entity, diff.before, diff.after, at)
}

/**
 * A product's gallery changed: `media.uploaded` (after: the picture), `media.updated` (its alt
 * text), `media.reordered` (the order of ids before and after) or `media.deleted` (before: the
 * picture).
 */
export function mediaChanged(
  actor: Actor,
  action: 'media.uploaded' | 'media.updated' | 'media.reordered' | 'media.deleted',
  productId: string,
  before: unknown,
  after: unknown,
  at: Date,
): Audit {
  return audit.auditRecorded(actor, action, product(productId), before, after, at)
}
