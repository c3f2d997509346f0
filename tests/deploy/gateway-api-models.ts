// Gateway API objects (gateway.networking.k8s.io/v1) checked offline. kubernetes-models ships
// only the core APIs, so these check the structure of the fields the manifests use, with the
// rules of the Gateway API CRDs' schemas (v1.2, standard channel), in the shape of its models.

type Json = Record<string, any>

/** A DNS label as Kubernetes names objects and sections (RFC 1123). */
const label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/
/** A listener's or route's host: a DNS name, or a leading `*.` wildcard. */
const hostname = /^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/
/** A Gateway API Duration (GEP-2257): one to four units of h, m, s, ms. */
const duration = /^([0-9]{1,5}(h|m|s|ms)){1,4}$/

function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message)
}

function checkObject(data: Json, kind: string): void {
  check(data.apiVersion === 'gateway.networking.k8s.io/v1', `${kind}: apiVersion`)
  check(data.kind === kind, `${kind}: kind is ${data.kind}`)
  check(label.test(data.metadata?.name ?? ''), `${kind}: metadata.name`)
  check(data.spec && typeof data.spec === 'object', `${kind}: spec`)
}

export class Gateway {
  constructor(private readonly data: Json) {}

  validate(): void {
    const { data } = this
    checkObject(data, 'Gateway')
    check(label.test(data.spec.gatewayClassName ?? ''), 'Gateway: spec.gatewayClassName')
    const listeners: Json[] = data.spec.listeners ?? []
    check(listeners.length >= 1 && listeners.length <= 64, 'Gateway: 1 to 64 listeners')
    const names = new Set(listeners.map((l) => l.name))
    check(names.size === listeners.length, 'Gateway: listener names are unique')
    for (const listener of listeners) {
      const where = `Gateway listener ${listener.name}`
      check(label.test(listener.name ?? ''), `${where}: name`)
      check(['HTTP', 'HTTPS'].includes(listener.protocol), `${where}: protocol HTTP or HTTPS`)
      check(Number.isInteger(listener.port) && listener.port >= 1, `${where}: port`)
      check(listener.port <= 65535, `${where}: port`)
      if (listener.hostname !== undefined) check(hostname.test(listener.hostname), `${where}: host`)
      if (listener.protocol === 'HTTPS') {
        // HTTPS terminates here: the certificate is a Secret of the Gateway's namespace.
        check(listener.tls?.mode === 'Terminate', `${where}: tls.mode Terminate`)
        const refs: Json[] = listener.tls.certificateRefs ?? []
        check(refs.length >= 1, `${where}: a certificateRef`)
        for (const ref of refs) {
          check((ref.kind ?? 'Secret') === 'Secret', `${where}: certificateRef kind`)
          check(label.test(ref.name ?? ''), `${where}: certificateRef name`)
        }
      } else {
        check(listener.tls === undefined, `${where}: tls on plain HTTP`)
      }
      const from = listener.allowedRoutes?.namespaces?.from
      if (from !== undefined) check(['All', 'Same', 'Selector'].includes(from), `${where}: from`)
    }
  }
}

export class HTTPRoute {
  constructor(private readonly data: Json) {}

  validate(): void {
    const { data } = this
    checkObject(data, 'HTTPRoute')
    const parents: Json[] = data.spec.parentRefs ?? []
    check(parents.length >= 1, 'HTTPRoute: a parentRef')
    for (const parent of parents) {
      check((parent.kind ?? 'Gateway') === 'Gateway', 'HTTPRoute: parentRef kind')
      check(label.test(parent.name ?? ''), 'HTTPRoute: parentRef name')
      if (parent.sectionName !== undefined) check(label.test(parent.sectionName), 'sectionName')
    }
    for (const host of data.spec.hostnames ?? []) {
      check(hostname.test(host), `HTTPRoute: hostname ${host}`)
    }
    const rules: Json[] = data.spec.rules ?? []
    check(rules.length >= 1 && rules.length <= 16, 'HTTPRoute: 1 to 16 rules')
    for (const rule of rules) {
      for (const match of rule.matches ?? []) {
        const path = match.path
        if (path === undefined) continue
        check(['Exact', 'PathPrefix'].includes(path.type), 'HTTPRoute: path type')
        check(typeof path.value === 'string' && path.value.startsWith('/'), 'HTTPRoute: path')
      }
      for (const filter of rule.filters ?? []) {
        check(filter.type === 'RequestRedirect', `HTTPRoute: filter ${filter.type}`)
        const redirect = filter.requestRedirect
        check(['http', 'https'].includes(redirect?.scheme), 'HTTPRoute: redirect scheme')
        check([301, 302].includes(redirect.statusCode ?? 302), 'HTTPRoute: redirect status')
      }
      for (const [name, value] of Object.entries(rule.timeouts ?? {})) {
        check(['request', 'backendRequest'].includes(name), `HTTPRoute: timeouts.${name}`)
        check(duration.test(String(value)), `HTTPRoute: timeouts.${name} ${String(value)}`)
      }
      const backends: Json[] = rule.backendRefs ?? []
      // A rule either forwards to backends or redirects: one without either answers 500.
      check(backends.length > 0 || (rule.filters ?? []).length > 0, 'HTTPRoute: rule goes nowhere')
      for (const backend of backends) {
        check((backend.kind ?? 'Service') === 'Service', 'HTTPRoute: backendRef kind')
        check(label.test(backend.name ?? ''), 'HTTPRoute: backendRef name')
        // A Service backend must name its port.
        check(Number.isInteger(backend.port), `HTTPRoute: backendRef ${backend.name} port`)
      }
    }
  }
}
