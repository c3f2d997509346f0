import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1'
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2'
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1'
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1'
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  callersOf,
  deployableNames,
  gatewayDeclaration,
  serviceDeclarations,
  type ServiceDatabase,
} from '@emporium/contracts'
import {
  gatewayUpstreams,
  readRepoFile,
  renderKustomize,
  requiredVariables,
  services,
  usersKeySources,
  type K8sObject,
} from './deploy-test-support.js'
import { Gateway, HTTPRoute } from './gateway-api-models.js'
import { createReach, podsOf } from './network-policy-test-support.js'

// Renders each overlay with kubectl's built-in kustomize and checks the objects against the
// Kubernetes schemas (kubernetes-models, offline; Gateway API's by gateway-api-models.ts) and the
// policies of issue 7. An object of any other kind (an Ingress, say) fails the first test.
const models: Record<string, new (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'apps/v1/StatefulSet': StatefulSet,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'gateway.networking.k8s.io/v1/Gateway': Gateway,
  'gateway.networking.k8s.io/v1/HTTPRoute': HTTPRoute,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'v1/ConfigMap': ConfigMap,
  'v1/Namespace': Namespace,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'v1/ServiceAccount': ServiceAccount,
}
// From the one declaration of the services (packages/contracts/src/services.ts): the deploy
// files must agree with it.
const ports: Record<string, number> = {
  [gatewayDeclaration.name]: gatewayDeclaration.port,
  ...Object.fromEntries(serviceDeclarations.map((s) => [s.name, s.port])),
}
// The gateway's management server (GATEWAY_MANAGEMENT_PORT): /metrics and the detailed /readyz.
const managementPort = gatewayDeclaration.managementPort
// Who calls whom: each service may be reached only from these.
const callers: Record<string, string[]> = Object.fromEntries(
  deployableNames.map((name) => [name, callersOf(name)]),
)

// Each kind of datastore a deployable may use, and where it is: dev runs it in the cluster (this
// pod, on this port), prod reaches a managed service outside the cluster on its TLS port.
const datastores = {
  postgres: { pod: 'postgres', port: 5432, tlsPort: 5432 },
  mysql: { pod: 'mariadb', port: 3306, tlsPort: 3306 },
  redis: { pod: 'redis', port: 6379, tlsPort: 6379 },
  broker: { pod: 'rabbitmq', port: 5672, tlsPort: 5671 },
} as const
type Datastore = keyof typeof datastores

/**
 * What a deployable's declaration says it uses: its database, the broker when it has a database
 * (the platform's runtime publishes that database's outbox; the gateway has neither), and Redis:
 * its own data when declared, and for every pod the revocation list (REVOCATIONS_URL in the
 * shared config: every token check reads it, the users service writes it).
 */
const sharedRevocationsInRedis = /^\s*- REVOCATIONS_URL=rediss?:/m.test(
  readRepoFile('deploy/k8s/base/kustomization.yaml'),
)

function datastoresOf(name: string): Datastore[] {
  const declared: { database?: ServiceDatabase; redis: boolean } =
    serviceDeclarations.find((s) => s.name === name) ?? gatewayDeclaration
  const uses: Datastore[] = []
  if (declared.database) uses.push(declared.database, 'broker')
  if (declared.redis || sharedRevocationsInRedis) uses.push('redis')
  return uses
}

/**
 * A path pattern as a regular expression: `**` any folders, `*` what `star` stands for (one
 * segment in .dockerignore, anything in `find -path`), then `rest` (what a pattern also covers).
 */
function glob(pattern: string, star: string, rest: string): RegExp {
  const body = pattern
    .split(/(\*\*\/|\*)/)
    .map((part) =>
      part === '**/' ? '(.*/)?' : part === '*' ? star : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('')
  return new RegExp(`^${body}${rest}$`)
}

/** A Gateway API duration (`1h30m`, `600s`, `500ms`) in seconds. */
function seconds(duration: string): number {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 }
  const parts = [...duration.matchAll(/(\d+)(h|ms|m|s)/g)]
  return parts.reduce((total, [, value, u]) => total + Number(value) * unit[u!]!, 0)
}

/** kustomize folds long base64 values of a Secret over lines; the API server ignores the breaks. */
function normalised(object: K8sObject): K8sObject {
  if (object.kind !== 'Secret' || !object.data) return object
  const data = Object.entries(object.data as Record<string, string>)
  return { ...object, data: Object.fromEntries(data.map(([k, v]) => [k, v.replace(/\s/g, '')])) }
}

type Container = any
type EnvEntry = {
  name: string
  value?: string
  valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: any }
}

describe.each(['dev', 'prod'])('the %s overlay', (overlay) => {
  let objects: K8sObject[]
  const find = (kind: string, name: string) =>
    objects.find((o) => o.kind === kind && o.metadata.name === name) as any
  const podSpecs = () =>
    objects
      .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
      .map((o) => ({ name: o.metadata.name, spec: (o as any).spec.template.spec }))

  beforeAll(() => {
    objects = renderKustomize(`deploy/k8s/overlays/${overlay}`)
  })

  it('renders objects that all validate against the Kubernetes schemas', () => {
    expect(objects.length).toBeGreaterThan(40)
    for (const object of objects) {
      const Model = models[`${object.apiVersion}/${object.kind}`]
      expect(Model, `no schema for ${object.apiVersion} ${object.kind}`).toBeDefined()
      expect(
        () => new Model!(normalised(object) as never).validate(),
        object.metadata.name,
      ).not.toThrow()
    }
  })

  it('puts everything in its own namespace', () => {
    const namespace = overlay === 'dev' ? 'emporium-dev' : 'emporium'
    expect(find('Namespace', namespace)).toBeDefined()
    for (const object of objects.filter((o) => o.kind !== 'Namespace')) {
      expect(object.metadata.namespace, object.metadata.name).toBe(namespace)
    }
  })

  it.each(services)('gives %s a Deployment, Service, HPA, PDB and ServiceAccount', (name) => {
    const deployment = find('Deployment', name)
    expect(deployment).toBeDefined()
    for (const kind of ['Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget']) {
      expect(find(kind, name), `${kind} ${name}`).toBeDefined()
    }
    const account = find('ServiceAccount', name)
    expect(account.automountServiceAccountToken).toBe(false)
    const pod = deployment.spec.template.spec
    expect(pod.serviceAccountName).toBe(name)
    // The kubelet's SIGKILL must come after the platform's own drain deadline.
    const shared = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('emporium-shared'),
    ) as any
    const drain = Number(shared.data.SHUTDOWN_TIMEOUT_SECONDS)
    expect(drain).toBeGreaterThan(0)
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(drain)
    expect(find('HorizontalPodAutoscaler', name).spec.scaleTargetRef.name).toBe(name)
    expect(find('Service', name).spec.ports[0].port).toBe(ports[name])
  })

  it.each(services)('probes %s on /healthz and /readyz of its own port', (name) => {
    const [container] = find('Deployment', name).spec.template.spec.containers as Container[]
    expect(container.ports[0].containerPort).toBe(ports[name])
    expect(container.livenessProbe.httpGet.path).toBe('/healthz')
    expect(container.startupProbe.httpGet.path).toBe('/healthz')
    expect(container.readinessProbe.httpGet.path).toBe('/readyz')
    // The gateway's public port answers a bare /healthz only: its probes use the management port.
    const probed = name === 'gateway' ? 'management' : 'http'
    for (const probe of ['livenessProbe', 'startupProbe', 'readinessProbe']) {
      expect(container[probe].httpGet.port).toBe(probed)
    }
    expect(container.resources.requests).toMatchObject({ cpu: expect.any(String) })
    expect(container.resources.limits).toMatchObject({ memory: expect.any(String) })
    const tmp = container.volumeMounts.find((m: any) => m.mountPath === '/tmp')
    expect(tmp).toBeDefined()
  })

  it('runs no container as root, and the services with a read-only root', () => {
    for (const { name, spec } of podSpecs()) {
      expect(spec.securityContext.runAsNonRoot, name).toBe(true)
      expect(spec.securityContext.seccompProfile.type, name).toBe('RuntimeDefault')
      for (const container of spec.containers as Container[]) {
        const context = container.securityContext
        expect(context.runAsNonRoot, name).toBe(true)
        expect(context.allowPrivilegeEscalation, name).toBe(false)
        expect(context.capabilities.drop, name).toEqual(['ALL'])
        expect(context.privileged ?? false, name).toBe(false)
        if (services.includes(name)) expect(context.readOnlyRootFilesystem, name).toBe(true)
      }
    }
  })

  it('pins every image by tag', () => {
    for (const { name, spec } of podSpecs()) {
      for (const container of spec.containers as Container[]) {
        const image: string = container.image
        const tag = /^[^@]+:([^/:@]+)$/.exec(image)?.[1]
        expect(tag, `${name}: ${image}`).toBeDefined()
        expect(tag, `${name}: ${image}`).not.toBe('latest')
      }
    }
  })

  it.each(services)('provides every variable %s requires', (name) => {
    const [container] = find('Deployment', name).spec.template.spec.containers as Container[]
    const provided = new Set<string>()
    for (const entry of (container.env ?? []) as EnvEntry[]) {
      const ref = entry.valueFrom?.secretKeyRef
      if (ref) {
        // A Secret of the render must hold the key; one made outside (prod) is named per key.
        const secret = find('Secret', ref.name)
        if (secret) expect(Object.keys(secret.data ?? {}), entry.name).toContain(ref.key)
        else expect(overlay).toBe('prod')
      } else {
        expect(entry.value ?? entry.valueFrom, entry.name).toBeDefined()
      }
      provided.add(entry.name)
    }
    for (const source of container.envFrom ?? []) {
      const kind = source.configMapRef ? 'ConfigMap' : 'Secret'
      const ref = source.configMapRef ?? source.secretRef
      const object = find(kind, ref.name)
      expect(object, `${kind} ${ref.name}`).toBeDefined()
      for (const key of Object.keys(object.data ?? {})) provided.add(key)
    }
    for (const variable of requiredVariables(name)) {
      expect([...provided], `${name} needs ${variable}`).toContain(variable)
    }
    if (name === 'users') expect(usersKeySources.some((k) => provided.has(k))).toBe(true)
    if (overlay === 'prod' && name === 'users') expect(provided).toContain('USERS_SIGNING_KEYS')
  })

  it('denies all traffic by default and admits each service only from its callers', () => {
    const deny = find('NetworkPolicy', 'default-deny-all')
    expect(deny.spec.podSelector).toEqual({})
    expect(deny.spec.policyTypes).toEqual(['Ingress', 'Egress'])
    const pods = podsOf(objects)
    // The policies that admit every Emporium pod select this label: exactly those pods carry it.
    const labelled = pods.filter((p) => p.labels['app.kubernetes.io/part-of'] === 'emporium')
    expect(labelled.map((p) => p.name).sort()).toEqual([...services].sort())
    const { reaches } = createReach(objects)
    const pod = (name: string) => pods.find((p) => p.name === name)!
    for (const name of services) {
      const policy = find('NetworkPolicy', name)
      expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe(name)
      const dns = policy.spec.egress.flatMap((rule: any) => rule.ports ?? [])
      expect(dns, name).toContainEqual({ protocol: 'UDP', port: 53 })
      // Each other Emporium pod reaches it on its declared port if and only if it is a caller
      // (packages/contracts/src/services.ts), both by its own egress and by this one's ingress.
      for (const other of services.filter((s) => s !== name)) {
        const caller = callers[name]!.includes(other)
        expect(reaches(pod(other), pod(name), ports[name]!), `${other} → ${name}`).toBe(caller)
      }
    }
    // The gateway's only callers are the Gateway API implementation's proxies, named by the
    // overlay's component (deploy/k8s/components): neither base's placeholder, which admits
    // nobody, nor the retired ingress-nginx.
    const [fromEdge] = find('NetworkPolicy', 'gateway').spec.ingress
    expect(fromEdge.from).toHaveLength(1)
    const [edge] = fromEdge.from
    const edgeNamespace = edge.namespaceSelector?.matchLabels?.['kubernetes.io/metadata.name']
    expect(edgeNamespace).toBe('envoy-gateway-system')
    expect(Object.keys(edge.podSelector.matchLabels).length).toBeGreaterThan(0)
    expect(JSON.stringify(edge)).not.toMatch(/ingress-nginx|gateway-api-implementation/)
  })

  it('lets each deployable reach exactly the datastores its declaration says, and no other', () => {
    const pods = podsOf(objects)
    const pod = (name: string) => pods.find((p) => p.name === name)!
    const { reaches, admits, reachesOutside } = createReach(objects)
    // The overlay's policies select pods by label, not by name: none of them names a deployable.
    for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy') as any[]) {
      if (deployableNames.includes(policy.metadata.name)) continue
      expect(JSON.stringify(policy.spec), policy.metadata.name).not.toMatch(
        new RegExp(`"(${deployableNames.join('|')})"`),
      )
    }
    for (const name of deployableNames) {
      const uses = datastoresOf(name)
      for (const kind of Object.keys(datastores) as Datastore[]) {
        const store = datastores[kind]
        const used = uses.includes(kind)
        if (overlay === 'dev') {
          // The datastore's own ingress admits exactly its users too, not only their egress.
          const target = pod(store.pod)
          expect(find('Service', store.pod).spec.ports[0].targetPort, store.pod).toBe(store.port)
          expect(reaches(pod(name), target, store.port), `${name} → ${store.pod}`).toBe(used)
          expect(admits(target, pod(name), store.port), `${store.pod} admits ${name}`).toBe(used)
          for (const port of [store.port, store.tlsPort]) {
            expect(reachesOutside(pod(name), port), `${name} → outside on ${port}`).toBe(false)
          }
        } else {
          const port = store.tlsPort
          expect(reachesOutside(pod(name), port), `${name} → ${kind} on ${port}`).toBe(used)
        }
      }
    }
  })

  it('sends the gateway to each routed service by its Service and declared port', () => {
    const env: Record<string, string> = {}
    for (const prefix of ['emporium-shared', 'gateway-config']) {
      const config = objects.find(
        (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(prefix),
      ) as any
      Object.assign(env, config.data)
    }
    for (const { service, port, urls } of gatewayUpstreams(env)) {
      expect(urls.length, `the gateway has no URL of ${service}`).toBeGreaterThan(0)
      for (const url of urls) {
        expect(url.hostname, service).toBe(service)
        expect(Number(url.port), service).toBe(port)
        const target = find('Service', url.hostname)
        expect(target.spec.selector['app.kubernetes.io/name']).toBe(service)
        expect(target.spec.ports[0]).toMatchObject({ port, targetPort: 'http' })
      }
    }
  })

  it('gives orders its service key from a Secret and has payments trust only orders', () => {
    const [container] = find('Deployment', 'orders').spec.template.spec.containers as Container[]
    const key = container.env.find((e: any) => e.name === 'ORDERS_SERVICE_KEYS')
    expect(key.valueFrom.secretKeyRef).toEqual({
      name: expect.stringMatching(/^orders-secrets/),
      key: 'ORDERS_SERVICE_KEYS',
    })
    const config = objects.find(
      (o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('payments-config'),
    ) as any
    expect(JSON.parse(config.data.PAYMENTS_TRUSTED_CALLERS)).toEqual({
      orders: `http://orders:${ports.orders}/.well-known/service-jwks.json`,
    })
  })

  it("keeps the gateway's metrics and readiness on its management port, off every public path", () => {
    const deployment = find('Deployment', 'gateway')
    const [container] = deployment.spec.template.spec.containers as Container[]
    const management = container.ports.find((p: any) => p.name === 'management')
    expect(management.containerPort).toBe(managementPort)
    const config =
      find('ConfigMap', 'gateway-config') ??
      objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('gateway-config'))
    expect((config as any).data.GATEWAY_MANAGEMENT_PORT).toBe(String(managementPort))
    // Prometheus scrapes the management port; the Service (the HTTPRoute's backend) lacks it.
    const annotations = deployment.spec.template.metadata.annotations
    expect(annotations['prometheus.io/port']).toBe(String(managementPort))
    expect(annotations['prometheus.io/path']).toBe('/metrics')
    const servicePorts = find('Service', 'gateway').spec.ports.map((p: any) => p.port)
    expect(servicePorts).toEqual([ports.gateway])
    // The Gateway's proxies reach the public port only, Prometheus the management port only.
    const [fromEdge, fromPrometheus] = find('NetworkPolicy', 'gateway').spec.ingress
    expect(fromEdge.ports).toEqual([{ protocol: 'TCP', port: ports.gateway }])
    expect(fromPrometheus.from[0].podSelector.matchLabels['app.kubernetes.io/name']).toBe(
      'prometheus',
    )
    expect(fromPrometheus.ports).toEqual([{ protocol: 'TCP', port: managementPort }])
  })

  it('exposes only the gateway Service, on its declared port, through a Gateway API route', () => {
    // ingress-nginx was retired in March 2026: no Ingress comes back.
    expect(objects.filter((o) => o.kind === 'Ingress')).toEqual([])
    const gateways = objects.filter((o) => o.kind === 'Gateway') as any[]
    expect(gateways).toHaveLength(1)
    const [gateway] = gateways
    const listeners = new Map<string, any>(gateway.spec.listeners.map((l: any) => [l.name, l]))
    const routes = objects.filter((o) => o.kind === 'HTTPRoute') as any[]
    const host = overlay === 'dev' ? 'emporium.dev.localtest.me' : 'shop.example.com'
    const forwarded: string[] = []
    for (const route of routes) {
      const where = `HTTPRoute ${route.metadata.name}`
      expect(route.spec.hostnames, where).toEqual([host])
      const sections = route.spec.parentRefs.map((parent: any) => {
        expect(parent.name, where).toBe(gateway.metadata.name)
        expect(parent.namespace ?? route.metadata.namespace, where).toBe(gateway.metadata.namespace)
        expect(listeners.has(parent.sectionName), `${where}: ${parent.sectionName}`).toBe(true)
        return listeners.get(parent.sectionName).protocol as string
      })
      for (const rule of route.spec.rules) {
        for (const backend of rule.backendRefs ?? []) {
          forwarded.push(`${backend.namespace ?? ''}/${backend.name}:${backend.port}`)
          // The backend is a Service of the render that has this port.
          const target = find('Service', backend.name)
          expect(target, `${where} → ${backend.name}`).toBeDefined()
          expect(target.spec.ports.map((p: any) => p.port)).toContain(backend.port)
          // With TLS, traffic reaches the gateway through HTTPS only.
          if (listeners.has('https')) expect(sections, where).toEqual(['HTTPS'])
          // Order-status streams stay open for minutes: a route timeout must not cut them early.
          const limit = String(rule.timeouts?.request ?? '')
          expect(limit === '0s' || seconds(limit) >= 600, `${where}: timeout ${limit}`).toBe(true)
        }
      }
    }
    // Every forwarding rule goes to the gateway Service's declared port, in this namespace.
    expect(new Set(forwarded)).toEqual(new Set([`/${gatewayDeclaration.name}:${ports.gateway}`]))
    if (overlay === 'prod') {
      expect(listeners.get('https')).toMatchObject({
        protocol: 'HTTPS',
        port: 443,
        hostname: host,
        tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-example-com-tls' }] },
      })
      // Plain HTTP only redirects to HTTPS, as ingress-nginx did for a host with TLS.
      const onHttp = routes.filter((r) =>
        r.spec.parentRefs.some((p: any) => p.sectionName === 'http'),
      )
      expect(onHttp).toHaveLength(1)
      expect(onHttp[0].spec.rules).toEqual([
        {
          filters: [
            { type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } },
          ],
        },
      ])
    } else {
      expect([...listeners.keys()]).toEqual(['http'])
    }
  })

  it('leaves the replica count of every Deployment an HPA scales to that HPA', () => {
    const autoscalers = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler') as any[]
    expect(autoscalers.length).toBeGreaterThanOrEqual(services.length)
    for (const autoscaler of autoscalers) {
      const { kind, name } = autoscaler.spec.scaleTargetRef
      const target = find(kind, name)
      expect(target, `${kind} ${name}`).toBeDefined()
      // An apply that set replicas would reset the count the HPA chose.
      expect(Object.keys(target.spec), `${kind} ${name}`).not.toContain('replicas')
      expect(autoscaler.spec.minReplicas, name).toBeGreaterThanOrEqual(1)
    }
  })

  if (overlay === 'dev') {
    it('runs one replica of each service and the datastores in the cluster', () => {
      for (const name of services) {
        expect(find('HorizontalPodAutoscaler', name).spec.minReplicas).toBe(1)
      }
      for (const store of ['postgres', 'mariadb', 'redis', 'rabbitmq']) {
        const set = find('StatefulSet', store)
        expect(set, store).toBeDefined()
        expect(set.spec.volumeClaimTemplates).toHaveLength(1)
        expect(find('Service', store), store).toBeDefined()
      }
    })
  } else {
    it('writes the shop’s public address in e-mails’ and product pages’ links, not localhost', () => {
      const data = (prefix: string) =>
        objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(prefix))!.data
      const origin = data('gateway-config').GATEWAY_CORS_ORIGINS
      expect(origin).toMatch(/^https:\/\/[a-z0-9.-]+$/)
      expect({
        users: data('users-config').USERS_PUBLIC_URL,
        notifications: data('notifications-config').NOTIFICATIONS_PUBLIC_URL,
        gateway: data('gateway-config').GATEWAY_PUBLIC_URL,
      }).toEqual({ users: origin, notifications: origin, gateway: origin })
    })

    it('runs at least two replicas of each service and keeps them under scaling', () => {
      for (const name of services) {
        expect(find('HorizontalPodAutoscaler', name).spec.minReplicas).toBeGreaterThanOrEqual(2)
        expect(find('PodDisruptionBudget', name).spec.minAvailable).toBe(1)
      }
      expect(objects.filter((o) => o.kind === 'StatefulSet')).toEqual([])
    })
  }
})

describe('the deploy sources', () => {
  it('keep the dev overlay’s PostgreSQL init script identical to compose’s', () => {
    expect(readRepoFile('deploy/k8s/overlays/dev/postgres-init.sh')).toBe(
      readRepoFile('deploy/compose/postgres-init.sh'),
    )
  })

  it('copy every workspace manifest into the Dockerfile’s install layer', () => {
    const dockerfile = readRepoFile('deploy/Dockerfile')
    const lock = JSON.parse(readRepoFile('package-lock.json')) as {
      packages: Record<string, { link?: boolean }>
    }
    const workspaces = Object.keys(lock.packages).filter(
      (p) => p !== '' && !p.includes('node_modules/'),
    )
    expect(workspaces.length).toBeGreaterThan(8)
    // Each stage's instructions, continuation lines joined.
    const stages = dockerfile
      .replace(/\\\n\s*/g, ' ')
      .split(/^(?=FROM )/m)
      .slice(1)
      .map((stage) => stage.split('\n').filter((line) => /^[A-Z]/.test(line)))
    // The manifests stage takes the whole context and keeps only the manifests, with their paths.
    const manifests = stages.find((stage) => /^FROM \S+ AS manifests$/.test(stage[0]!))
    expect(manifests, 'a stage `FROM ... AS manifests`').toBeDefined()
    expect(manifests).toContain('COPY . .')
    const find = manifests!.find((line) => /^RUN .*\bfind /.test(line))!
    expect(find, 'a `find` of the manifests').toBeDefined()
    expect(find).toMatch(/-name package\.json\b/)
    expect(find).toMatch(/-name package-lock\.json\b/)
    expect(find).toMatch(/cp -p --parents \{\} \/manifests\//)
    // Neither the build context (.dockerignore) nor the find's exclusions leave a manifest out.
    const ignored = readRepoFile('.dockerignore')
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .map((pattern) => glob(pattern.trim(), '[^/]*', '(/.*)?'))
    const excluded = [...find.matchAll(/-not -path '([^']+)'/g)].map(([, path]) =>
      glob(path!, '.*', ''),
    )
    for (const manifest of ['package-lock.json', ...workspaces.map((w) => `${w}/package.json`)]) {
      expect(readRepoFile(manifest), manifest).toBeTruthy()
      for (const pattern of ignored)
        expect(manifest, `.dockerignore ${pattern}`).not.toMatch(pattern)
      for (const pattern of excluded)
        expect(`./${manifest}`, `find ${pattern}`).not.toMatch(pattern)
    }
    // The install layer sees those manifests and nothing else that changes with the sources, so
    // it is reused until a manifest changes.
    const build = stages.find((stage) => stage.some((line) => /\bnpm ci\b/.test(line)))!
    const install = build.findIndex((line) => /\bnpm ci\b/.test(line))
    const copies = build.slice(0, install).filter((line) => line.startsWith('COPY '))
    expect(copies).toEqual(['COPY .npmrc ./', 'COPY --from=manifests /manifests/ ./'])
    expect(dockerfile).toMatch(/^USER 10001:10001$/m)
    expect(dockerfile).toMatch(/^HEALTHCHECK /m)
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24-bookworm-slim$/m)
  })
})
