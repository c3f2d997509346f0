import { Ajv, type Options } from 'ajv'
import formatsModule from 'ajv-formats'
import { multilineTextPattern, textPattern } from '@emporium/contracts'
import type { FastifySchemaValidationError, FastifyServerOptions } from 'fastify'
import type { FieldError } from '../errors.js'

// ajv-formats is CommonJS with a `default` export; under NodeNext either shape may arrive.
const addFormats = ((formatsModule as unknown as { default?: unknown }).default ??
  formatsModule) as unknown as (ajv: Ajv) => Ajv

type ValidatorFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildValidator']

interface RouteSchema {
  schema: object
  httpPart?: string
}

const shared: Options = {
  // Unknown fields are rejected (schemas say additionalProperties: false), never stripped.
  removeAdditional: false,
  // Every failing field is reported at once. The cost of listing many errors is bounded by
  // the body limit, and `toFieldErrors` caps what is sent back.
  allErrors: true,
  useDefaults: true,
  addUsedSchema: false,
}

function createAjv(coerceTypes: Options['coerceTypes'], externalSchemas: Record<string, unknown>) {
  const ajv = new Ajv({ ...shared, coerceTypes })
  addFormats(ajv)
  for (const schema of Object.values(externalSchemas)) ajv.addSchema(schema as object)
  return ajv
}

/**
 * A body of raw bytes (`type: string, format: binary`, as OpenAPI describes an upload): its
 * route's content-type parser hands it over as a Buffer, which a string schema would refuse, and
 * what the bytes may be is for the route to judge (a picture by its signature), not a schema.
 */
const isBinary = (schema: object) =>
  (schema as { type?: unknown; format?: unknown }).type === 'string' &&
  (schema as { format?: unknown }).format === 'binary'

const anyBytes = () => true

/**
 * Fastify's validator factory with two Ajv instances: querystring, params and headers arrive
 * as text and are coerced to the schema's types (`?limit=20` → 20, `?tag=a` → ['a']); a JSON
 * body is not coerced, so `{"quantity": "2"}`, `true` or `null` is a 400, not a silent 2, 1 or 0.
 * A binary body is not validated (`isBinary`).
 */
function buildValidatorCompiler(externalSchemas: Record<string, unknown>) {
  const text = createAjv('array', externalSchemas)
  const json = createAjv(false, externalSchemas)
  return ({ schema, httpPart }: RouteSchema) => {
    if (httpPart === 'body' && isBinary(schema)) return anyBytes
    const ajv = httpPart === 'body' ? json : text
    const id = (schema as { $id?: string }).$id
    // Ajv refuses to compile a second schema with an id it holds already.
    const known = id === undefined ? undefined : ajv.getSchema(id)
    return known ?? ajv.compile(schema)
  }
}

// Fastify calls the compiler with `{schema, method, url, httpPart}`, as its docs say; the
// declared type (from @fastify/ajv-compiler) has it take the bare schema.
export const buildValidator = buildValidatorCompiler as unknown as ValidatorFactory

const maxListedErrors = 50

/** Ajv errors as `{path, message}` pairs, the path rooted at the request part (`/body/qty`). */
export function toFieldErrors(
  errors: readonly FastifySchemaValidationError[],
  part: string | undefined,
): FieldError[] {
  const root = `/${part ?? 'body'}`
  const seen = new Set<string>()
  const out: FieldError[] = []
  for (const error of errors) {
    const params = error.params as {
      missingProperty?: string
      additionalProperty?: string
      pattern?: string
    }
    let path = root + error.instancePath
    let message = error.message ?? 'is invalid'
    if (error.keyword === 'required' && params.missingProperty !== undefined) {
      path = `${path}/${params.missingProperty}`
      message = 'is required'
    } else if (error.keyword === 'additionalProperties' && params.additionalProperty) {
      path = `${path}/${params.additionalProperty}`
      message = 'is not an allowed field'
    } else if (
      error.keyword === 'pattern' &&
      (params.pattern === textPattern || params.pattern === multilineTextPattern)
    ) {
      // The contracts' text rule, said in words rather than as its regular expression.
      message = 'must not contain control characters'
    }
    const key = `${path}\u0000${message}`
    if (seen.has(key)) continue
    seen.add(key)
    out.push({ path, message })
    if (out.length === maxListedErrors) break
  }
  return out
}
