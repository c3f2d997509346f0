/**
 * A value kept on an object (a request, a reply) for the object's life, under a symbol of its
 * own: what a WeakMap keyed by requests did, without a WeakMap's hash-table insert per request
 * and the collector's work for each entry (the edge's WeakMap `set` was the costliest line of
 * the gateway's cached read, issue 20). Cleared by setting `undefined`, never by `delete`, which
 * would put the object in V8's slow dictionary mode.
 */
export interface RequestSlot<T> {
  get(owner: object): T | undefined
  set(owner: object, value: T | undefined): void
}

export function requestSlot<T>(description: string): RequestSlot<T> {
  const key = Symbol(description)
  type Carrier = Record<symbol, T | undefined>
  return {
    get: (owner) => (owner as Carrier)[key],
    set: (owner, value) => {
      ;(owner as Carrier)[key] = value
    },
  }
}
