import { randomUUID } from 'node:crypto'
import type { shipping } from '@emporium/contracts'
import { AppError } from '@emporium/platform/app'
import { checkTerms } from '../domain/rates.js'
import { auditOf, type StaffActor as Actor } from '@emporium/contracts'
import type { Method, MethodStore } from './ports.js'

function methodNotFound(): AppError {
  return new AppError('not_found', 'SHIPPING.METHOD_NOT_FOUND', 'There is no such shipping method.')
}

function unknownZone(): AppError {
  return new AppError('unprocessable', 'SHIPPING.UNKNOWN_ZONE', 'There is no zone with this id.', {
    details: { errors: [{ path: '/body/zoneId', message: 'is no zone' }] },
  })
}

/** A method as kept: its terms checked, rates ordered by `from`. */
function checked(method: Method): Method {
  const { currency: _currency, ...terms } = checkTerms(method)
  return terms
}

/**
 * The method use cases of the back office: create, list, read, change, delete. Staff's changes
 * (an `actor`) are audited: `shipping-method.created|updated|deleted`, an update with its changed
 * fields (rates among them) before and after (issue 19).
 */
export function createManageMethods(deps: {
  methods: MethodStore
  now: () => Date
  newId?: () => string
}) {
  const newId = deps.newId ?? randomUUID
  return {
    list: async (query: shipping.ListMethodsQuery): Promise<shipping.MethodList> => ({
      items: await deps.methods.list(query),
    }),

    async get(id: string): Promise<Method> {
      const method = await deps.methods.get(id)
      if (!method) throw methodNotFound()
      return method
    },

    async create(body: shipping.CreateMethodBody, actor?: Actor): Promise<Method> {
      const method = checked({ id: newId(), ...body, active: body.active ?? true })
      const now = deps.now()
      const record = auditOf<Method>(actor, 'shipping-method', now)
      if ((await deps.methods.create(method, now, record)) === 'zone_not_found') throw unknownZone()
      return method
    },

    async update(id: string, body: shipping.UpdateMethodBody, actor?: Actor): Promise<Method> {
      const now = deps.now()
      const outcome = await deps.methods.update(
        id,
        (current) => {
          const { freeAbove, estimatedDays, ...rest } = body
          const next: Method = { ...current, ...rest }
          if (freeAbove === null) delete next.freeAbove
          else if (freeAbove !== undefined) next.freeAbove = freeAbove
          if (estimatedDays === null) delete next.estimatedDays
          else if (estimatedDays !== undefined) next.estimatedDays = estimatedDays
          return checked(next)
        },
        now,
        auditOf<Method>(actor, 'shipping-method', now),
      )
      if (outcome === 'not_found') throw methodNotFound()
      if (outcome === 'zone_not_found') throw unknownZone()
      return outcome
    },

    async delete(id: string, actor?: Actor): Promise<void> {
      const record = auditOf<Method>(actor, 'shipping-method', deps.now())
      if ((await deps.methods.delete(id, record)) === 'not_found') throw methodNotFound()
    },
  }
}
