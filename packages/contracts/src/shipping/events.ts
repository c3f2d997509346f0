import Type from 'typebox'
import { defineEvent } from '../events.js'

/* Events published by the shipping service (issue 18; DESIGN.md, "Shipping"). */

const Line = Type.Object({
  productId: Type.String({ minLength: 1 }),
  variantId: Type.String({ minLength: 1 }),
  quantity: Type.Integer({ minimum: 1 }),
})
const At = Type.String({ format: 'date-time' })

/** A parcel of an order left with a carrier. */
export const ShipmentCreated = defineEvent(
  'shipment.created',
  1,
  Type.Object({
    shipmentId: Type.String({ minLength: 1 }),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    userId: Type.String({ minLength: 1 }),
    carrier: Type.String({ minLength: 1 }),
    trackingNumber: Type.String({ minLength: 1 }),
    lines: Type.Array(Line),
    /** Every line of the order is shipped now (this shipment and those before). */
    complete: Type.Boolean(),
    at: At,
  }),
)

/** The carrier delivered a shipment. */
export const ShipmentDelivered = defineEvent(
  'shipment.delivered',
  1,
  Type.Object({
    shipmentId: Type.String({ minLength: 1 }),
    orderId: Type.String({ minLength: 1, maxLength: 64 }),
    userId: Type.String({ minLength: 1 }),
    at: At,
  }),
)
