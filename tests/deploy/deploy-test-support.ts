// Shared by the deploy tests: the services, their config schemas, and what those require.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import type Type from 'typebox'
import { parse, parseAllDocuments } from 'yaml'
import { deployableNames, serviceDeclarations } from '@emporium/contracts'
import { loadGatewayConfig, upstreamUrls } from '@emporium/gateway'

/**
 * Every deployable service and the schema of its environment, in declaration order
 * (packages/contracts/src/services.ts): `@emporium/<name>` exports it as `<Name>Config`, the
 * convention apps/all-in-one/src/services.ts loads services by.
 */
export const schemas: Record<string, Type.TObject> = Object.fromEntries(
  await Promise.all(
    deployableNames.map(async (name) => {
      const pascal = name[0]!.toUpperCase() + name.slice(1)
      const module = (await import(`@emporium/${name}`)) as Record<string, unknown>
      const schema = module[`${pascal}Config`] as Type.TObject | undefined
      if (!schema) throw new Error(`@emporium/${name} exports no ${pascal}Config`)
      return [name, schema] as const
    }),
  ),
)
export const services = Object.keys(schemas)

/**
 * Variables a service cannot start without: required by its schema and without a default.
 * Beyond the schema: users needs one signing-key source, and a gateway without its upstreams'
 * URLs starts but answers 503 on their routes (`gatewayUpstreams` says where it sends each).
 */
export function requiredVariables(service: string): string[] {
  const schema = schemas[service]!
  const properties = schema.properties as Record<string, { default?: unknown }>
  return (schema.required ?? []).filter((key) => properties[key]?.default === undefined)
}

/**
 * Where a gateway with this environment sends each service it routes to, as the gateway itself
 * reads it (`GATEWAY_<ENV>_URLS`, else `GATEWAY_UPSTREAM_URL_TEMPLATE`): host and port of each URL.
 */
export function gatewayUpstreams(
  env: Record<string, string | undefined>,
): Array<{ service: string; port: number; urls: URL[] }> {
  // Only the upstream variables: the others may hold compose's `${...}` substitutions.
  const upstreamVariables = Object.entries(env).filter(([key]) =>
    /^GATEWAY_(\w+_URLS|UPSTREAM_URL_TEMPLATE)$/.test(key),
  )
  const urls = upstreamUrls(loadGatewayConfig(Object.fromEntries(upstreamVariables)))
  return serviceDeclarations
    .filter((s) => s.routes.length > 0)
    .map((s) => ({ service: s.name, port: s.port, urls: urls[s.name].map((u) => new URL(u)) }))
}

/** For users: one of these must be set too (checkUsersConfig). */
export const usersKeySources = ['USERS_SIGNING_KEYS', 'USERS_SIGNING_KEY_FILE']

export const repoRoot = new URL('../../', import.meta.url)
export const readRepoFile = (path: string) => readFileSync(new URL(path, repoRoot), 'utf8')
export const readYaml = (path: string) => parse(readRepoFile(path), { merge: true }) as unknown

/** Kubernetes object as rendered, loosely typed. */
export interface K8sObject {
  apiVersion: string
  kind: string
  metadata: { name: string; namespace?: string; labels?: Record<string, string> }
  [key: string]: unknown
}

/** `kubectl kustomize <dir>` parsed into objects. Fails, saying how, when kubectl is missing. */
export function renderKustomize(dir: string): K8sObject[] {
  let out: string
  try {
    out = execFileSync('kubectl', ['kustomize', dir], { cwd: repoRoot, encoding: 'utf8' })
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('kubectl is not installed: `apt-get install kubectl` (or see kubernetes.io)')
    }
    throw error
  }
  return parseAllDocuments(out)
    .map((doc) => doc.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null)
}
