import type { TSchema } from 'typebox'
import Compile, { type Validator } from 'typebox/compile'

const compiled = new WeakMap<TSchema, Validator>()

/** A validator of `S` without a context of named types (what `Compile(schema)` makes). */
type Compiled<S extends TSchema> = Validator<Record<never, never>, S>

/**
 * The compiled validator of `schema`, made on first use and kept for the process (TypeBox's JIT:
 * a cart's answer checked in ~0.5 µs against ~20 µs for `Value.Check`, which walks the schema on
 * every call). Every event published and consumed, and every answer of another service, is
 * checked: the walks were 2–16 % of each service's CPU at checkout. Same rules and formats as
 * `Value.Check`.
 */
export function validatorOf<S extends TSchema>(schema: S): Compiled<S> {
  let validator = compiled.get(schema)
  if (!validator) {
    validator = Compile(schema)
    compiled.set(schema, validator)
  }
  return validator as Compiled<S>
}
