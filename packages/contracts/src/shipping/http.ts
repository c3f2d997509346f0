import Type from 'typebox'
import { Money } from '../money.js'
import { Id, Text } from '../text.js'

/*
 * The shipping service's HTTP API (issue 18; API.md, "Shipping"): zones and methods kept by
 * admins, quotes for anyone (and for the orders service at placement), shipments of confirmed
 * orders. Every price of a method is in one currency.
 */

/** ISO 3166-1 alpha-2, upper case. */
export const CountryCode = Type.String({
  pattern: '^[A-Z]{2}$',
  description: 'ISO 3166-1 alpha-2 code, upper case.',
})

/** A region of a country (a state, a province), compared as written. */
export const Region = Text({ minLength: 1, maxLength: 100, description: 'Region, as written.' })

/** A zone's entry: a whole country, or one region of it. */
export const ZoneCountry = Type.Object(
  {
    /** ISO 3166-1 alpha-2, upper case. */
    country: CountryCode,
    /** Only this region of the country; absent: the whole country. */
    region: Type.Optional(Region),
  },
  { additionalProperties: false },
)
export type ZoneCountry = Type.Static<typeof ZoneCountry>

/** A shipping zone: where its methods deliver. */
export const Zone = Type.Object({
  id: Type.String(),
  name: Type.String(),
  /** Its countries and regions; a destination is in the zone when one entry matches it. */
  countries: Type.Array(ZoneCountry),
})
export type Zone = Type.Static<typeof Zone>

const ZoneName = Text({ minLength: 1, maxLength: 200, description: 'Name shown to admins.' })
const ZoneCountries = Type.Array(ZoneCountry, {
  minItems: 1,
  maxItems: 500,
  description: 'Countries and regions, each at most once.',
})

/** Body of `POST /shipping/zones`. */
export const CreateZoneBody = Type.Object(
  { name: ZoneName, countries: ZoneCountries },
  { additionalProperties: false },
)
export type CreateZoneBody = Type.Static<typeof CreateZoneBody>

/** Body of `PATCH /shipping/zones/{id}`: the fields to change. */
export const UpdateZoneBody = Type.Object(
  { name: Type.Optional(ZoneName), countries: Type.Optional(ZoneCountries) },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateZoneBody = Type.Static<typeof UpdateZoneBody>

/** Path parameters of a zone, method or shipment. */
export const ShippingParams = Type.Object({ id: Id() })
export type ShippingParams = Type.Static<typeof ShippingParams>

/** The zones, by name. */
export const ZoneList = Type.Object({ items: Type.Array(Zone) })
export type ZoneList = Type.Static<typeof ZoneList>

/** What a method's rates are by: nothing (`flat`), the order's weight, or its subtotal. */
export const RateBasis = Type.Union(
  [Type.Literal('flat'), Type.Literal('weight'), Type.Literal('subtotal')],
  { description: 'flat, weight (grams) or subtotal (minor units).' },
)
export type RateBasis = Type.Static<typeof RateBasis>

/** One step of a method's rates. */
export const Rate = Type.Object(
  {
    /**
     * Where the step starts: grams (`weight`), minor units (`subtotal`), 0 (`flat`). The rate that
     * applies is the one with the highest `from` at most the order's weight or subtotal.
     */
    from: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    /** The price of shipping from there. */
    price: Money,
  },
  { additionalProperties: false },
)
export type Rate = Type.Static<typeof Rate>

/** Days from shipment to delivery, as told to the shopper. */
export const EstimatedDays = Type.Object(
  {
    min: Type.Integer({ minimum: 0, maximum: 365 }),
    max: Type.Integer({ minimum: 0, maximum: 365 }),
  },
  { additionalProperties: false },
)
export type EstimatedDays = Type.Static<typeof EstimatedDays>

/** A shipping method of a zone. */
export const Method = Type.Object({
  id: Type.String(),
  zoneId: Type.String(),
  name: Type.String(),
  carrier: Type.String(),
  basis: RateBasis,
  /** Its rates by `from`, ascending; all in one currency. */
  rates: Type.Array(Rate),
  /** Free when the order's subtotal is at least this (same currency as the rates). */
  freeAbove: Type.Optional(Money),
  estimatedDays: Type.Optional(EstimatedDays),
  /** Only active methods are quoted. */
  active: Type.Boolean(),
})
export type Method = Type.Static<typeof Method>

const MethodFields = {
  /** The zone it delivers to (422 `SHIPPING.UNKNOWN_ZONE` for an unknown one). */
  zoneId: Id({ description: 'The zone it delivers to.' }),
  name: Text({ minLength: 1, maxLength: 200, description: 'Name shown to shoppers.' }),
  carrier: Text({ minLength: 1, maxLength: 100, description: 'The carrier (`DHL`, `UPS`).' }),
  basis: RateBasis,
  // At least one, checked by the service (400 `SHIPPING.RATES_REQUIRED`).
  rates: Type.Array(Rate, {
    maxItems: 100,
    description: 'At least one; `from` unique; `flat`: exactly one, from 0; one currency.',
  }),
  freeAbove: Money,
  estimatedDays: EstimatedDays,
  active: Type.Boolean(),
}

/** Body of `POST /shipping/methods`; `active` defaults to true. */
export const CreateMethodBody = Type.Object(
  {
    zoneId: MethodFields.zoneId,
    name: MethodFields.name,
    carrier: MethodFields.carrier,
    basis: MethodFields.basis,
    rates: MethodFields.rates,
    freeAbove: Type.Optional(MethodFields.freeAbove),
    estimatedDays: Type.Optional(MethodFields.estimatedDays),
    active: Type.Optional(MethodFields.active),
  },
  { additionalProperties: false },
)
export type CreateMethodBody = Type.Static<typeof CreateMethodBody>

/**
 * Body of `PATCH /shipping/methods/{id}`: the fields to change; `freeAbove` or `estimatedDays`
 * null removes it. The method as changed is checked as a new one would be.
 */
export const UpdateMethodBody = Type.Object(
  {
    zoneId: Type.Optional(MethodFields.zoneId),
    name: Type.Optional(MethodFields.name),
    carrier: Type.Optional(MethodFields.carrier),
    basis: Type.Optional(MethodFields.basis),
    rates: Type.Optional(MethodFields.rates),
    freeAbove: Type.Optional(Type.Union([MethodFields.freeAbove, Type.Null()])),
    estimatedDays: Type.Optional(Type.Union([MethodFields.estimatedDays, Type.Null()])),
    active: Type.Optional(MethodFields.active),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateMethodBody = Type.Static<typeof UpdateMethodBody>

/** Query of `GET /shipping/methods`. */
export const ListMethodsQuery = Type.Object(
  { zoneId: Type.Optional(Id({ description: 'Only the methods of this zone.' })) },
  { additionalProperties: false },
)
export type ListMethodsQuery = Type.Static<typeof ListMethodsQuery>

/** The methods, by zone and name. */
export const MethodList = Type.Object({ items: Type.Array(Method) })
export type MethodList = Type.Static<typeof MethodList>

/** Where an order goes, as far as its shipping price depends on it. */
export const Destination = Type.Object(
  {
    country: CountryCode,
    /** As an address has it: blank or absent is the country alone. */
    region: Type.Optional(Text({ maxLength: 100 })),
    /** Not used to price yet; accepted so a client can send the address it has. */
    postalCode: Type.Optional(Text({ minLength: 1, maxLength: 20 })),
  },
  { additionalProperties: false },
)
export type Destination = Type.Static<typeof Destination>

/** Body of `POST /shipping/quotes`. */
export const QuoteBody = Type.Object(
  {
    destination: Destination,
    /** The order's subtotal: its currency chooses the methods quoted. */
    subtotal: Money,
    /** The order's weight in grams. */
    weightGrams: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
  },
  { additionalProperties: false },
)
export type QuoteBody = Type.Static<typeof QuoteBody>

/** The price of one method for the order. */
export const Quote = Type.Object({
  methodId: Type.String(),
  name: Type.String(),
  carrier: Type.String(),
  price: Money,
  estimatedDays: Type.Optional(EstimatedDays),
})
export type Quote = Type.Static<typeof Quote>

/** Response of `POST /shipping/quotes`: cheapest first; empty when no method ships there. */
export const QuoteList = Type.Object({ quotes: Type.Array(Quote) })
export type QuoteList = Type.Static<typeof QuoteList>

/** A line of a shipment. */
export const ShipmentLine = Type.Object({
  productId: Type.String(),
  variantId: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
})
export type ShipmentLine = Type.Static<typeof ShipmentLine>

/** Shipment statuses. */
export const ShipmentStatus = Type.Union([Type.Literal('shipped'), Type.Literal('delivered')], {
  description: 'shipped or delivered.',
})
export type ShipmentStatus = Type.Static<typeof ShipmentStatus>

/** A parcel of an order handed to a carrier. */
export const Shipment = Type.Object({
  id: Type.String(),
  orderId: Type.String(),
  carrier: Type.String(),
  trackingNumber: Type.String(),
  lines: Type.Array(ShipmentLine),
  status: ShipmentStatus,
  createdAt: Type.String({ format: 'date-time' }),
  /** When it was delivered. */
  deliveredAt: Type.Optional(Type.String({ format: 'date-time' })),
})
export type Shipment = Type.Static<typeof Shipment>

/** Body of `POST /shipping/shipments`. */
export const CreateShipmentBody = Type.Object(
  {
    orderId: Id({ description: 'A confirmed order.' }),
    carrier: Text({ minLength: 1, maxLength: 100 }),
    trackingNumber: Text({ minLength: 1, maxLength: 100 }),
    lines: Type.Array(
      Type.Object(
        {
          /** The variant shipped (a product without options: the product's id). */
          variantId: Id(),
          quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 200 },
    ),
  },
  { additionalProperties: false },
)
export type CreateShipmentBody = Type.Static<typeof CreateShipmentBody>

/** Query of `GET /shipping/shipments`. */
export const ListShipmentsQuery = Type.Object(
  { orderId: Id({ description: 'The order whose shipments to list.' }) },
  { additionalProperties: false },
)
export type ListShipmentsQuery = Type.Static<typeof ListShipmentsQuery>

/** An order's shipments, oldest first. */
export const ShipmentList = Type.Object({ items: Type.Array(Shipment) })
export type ShipmentList = Type.Static<typeof ShipmentList>
