// What the rendered NetworkPolicies let one pod of the namespace send to another, evaluated as
// Kubernetes does (the union of every policy that selects a pod), so that the deploy tests check
// who reaches whom rather than how a policy happens to be written (one selector or a list).
import type { K8sObject } from './deploy-test-support.js'

interface LabelSelector {
  matchLabels?: Record<string, string>
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>
}
interface Peer {
  podSelector?: LabelSelector
  namespaceSelector?: LabelSelector
  ipBlock?: unknown
}
interface Rule {
  peers?: Peer[]
  ports?: Array<{ protocol?: string; port?: number | string; endPort?: number }>
}

/** A workload's pods: their labels and the ports their containers name. */
export interface Pod {
  name: string
  labels: Record<string, string>
  ports: Record<string, number>
}

export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v)
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values }) => {
    if (operator === 'In') return values!.includes(labels[key]!)
    if (operator === 'NotIn') return !(key in labels) || !values!.includes(labels[key]!)
    if (operator === 'Exists') return key in labels
    if (operator === 'DoesNotExist') return !(key in labels)
    throw new Error(`unknown operator ${operator}`)
  })
  return byLabel && byExpression
}

/** The pods of every Deployment and StatefulSet of a render. */
export function podsOf(objects: K8sObject[]): Pod[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((o) => {
      const template = (o as any).spec.template
      const ports: Record<string, number> = {}
      for (const container of template.spec.containers ?? []) {
        for (const port of container.ports ?? [])
          if (port.name) ports[port.name] = port.containerPort
      }
      return { name: o.metadata.name, labels: template.metadata?.labels ?? {}, ports }
    })
}

/** Whether a rule lets TCP traffic to `port` of `target` through (a named port is the target's). */
function portAllowed(rule: Rule, target: Pod, port: number): boolean {
  if (!rule.ports || rule.ports.length === 0) return true
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false
    if (p.port === undefined) return true
    const number = typeof p.port === 'string' ? target.ports[p.port] : p.port
    return number !== undefined && port >= number && port <= (p.endPort ?? number)
  })
}

/** A peer that stands for pods of this namespace: a pod selector alone. */
const peerSelects = (peer: Peer, pod: Pod) =>
  peer.podSelector !== undefined &&
  peer.namespaceSelector === undefined &&
  peer.ipBlock === undefined &&
  selects(peer.podSelector, pod.labels)

/** A rule without peers (no `to` or `from`, or an empty one) matches every peer, as in Kubernetes. */
const anyPeer = (rule: Rule) => rule.peers === undefined || rule.peers.length === 0

/** No named ports: an address outside the cluster is not a pod. */
const outside: Pod = { name: 'outside the cluster', labels: {}, ports: {} }

/**
 * What the policies let through: `reaches(from, to, port)` when some policy selecting `to` admits
 * `from` (or none does) and some policy selecting `from` lets it out (or none does); `admits` and
 * `letsOut` are the two halves, so that each side can be checked alone; `reachesOutside(from,
 * port)` when `from` may open a TCP connection on `port` to some address outside the cluster (an
 * ipBlock: which addresses is the operator's to fill in, so only the port is checked).
 */
export function createReach(objects: K8sObject[]) {
  const policies = objects.filter((o) => o.kind === 'NetworkPolicy') as any[]
  const governing = (pod: Pod, type: 'Ingress' | 'Egress') =>
    policies.filter(
      (p) => selects(p.spec.podSelector, pod.labels) && (p.spec.policyTypes ?? []).includes(type),
    )
  const ingress = (p: any): Rule[] =>
    (p.spec.ingress ?? []).map((r: any) => ({ ...r, peers: r.from }))
  const egress = (p: any): Rule[] => (p.spec.egress ?? []).map((r: any) => ({ ...r, peers: r.to }))
  const allows = (
    pod: Pod,
    type: 'Ingress' | 'Egress',
    rulesOf: (policy: any) => Rule[],
    matches: (rule: Rule) => boolean,
    target: Pod,
    port: number,
  ) => {
    const applying = governing(pod, type)
    if (applying.length === 0) return true
    return applying.some((policy) =>
      rulesOf(policy).some((rule) => matches(rule) && portAllowed(rule, target, port)),
    )
  }
  const selecting = (other: Pod) => (rule: Rule) =>
    anyPeer(rule) || rule.peers!.some((peer) => peerSelects(peer, other))
  const admits = (to: Pod, from: Pod, port: number) =>
    allows(to, 'Ingress', ingress, selecting(from), to, port)
  const letsOut = (from: Pod, to: Pod, port: number) =>
    allows(from, 'Egress', egress, selecting(to), to, port)
  return {
    admits,
    letsOut,
    reaches: (from: Pod, to: Pod, port: number) =>
      admits(to, from, port) && letsOut(from, to, port),
    reachesOutside: (from: Pod, port: number) =>
      allows(
        from,
        'Egress',
        egress,
        (rule) => anyPeer(rule) || rule.peers!.some((peer) => peer.ipBlock !== undefined),
        outside,
        port,
      ),
  }
}
