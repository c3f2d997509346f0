import { Agent, request } from 'undici'
import { Webhook } from 'standardwebhooks'
import type { WebhookSender } from '../app/ports.js'
import { hostOf } from '../domain/endpoint-url.js'
import { parseRetryAfter, type AttemptOutcome } from '../domain/retry-schedule.js'
import { guardedLookup, vetHost } from './address-guard.js'

/** The most of an answer's body kept in the attempt log. */
const maxBodyExcerpt = 1024

/**
 * Sends a delivery as Standard Webhooks says: `webhook-id` (the event's stable id),
 * `webhook-timestamp` (this attempt's, in seconds) and `webhook-signature` (one `v1,` signature
 * per secret, space-separated: the previous secret's too during a rotation's overlap). No
 * redirect is followed (undici's `request` follows none: a 3xx is the answer). Every attempt
 * opens its own connection through a lookup that vets the addresses it connects to, so the
 * SSRF check runs at every attempt and a DNS change cannot slip between check and connection;
 * an IP literal, which no lookup sees, is vetted first. Allow-listed hosts skip the check.
 */
export function createHttpSender(options: {
  timeoutMs: number
  allowedHosts: readonly string[]
  userAgent?: string
}): WebhookSender {
  const userAgent = options.userAgent ?? 'Emporium-Webhooks/1'
  return {
    async send({ url, webhookId, body, secrets, at }) {
      const started = performance.now()
      const elapsed = () => Math.round(performance.now() - started)
      const signature = secrets
        .map((secret) => new Webhook(secret).sign(webhookId, at, body))
        .join(' ')
      const agent = new Agent({
        connect: { lookup: guardedLookup(options.allowedHosts), timeout: options.timeoutMs },
        keepAliveTimeout: 1,
        pipelining: 0,
      })
      const signal = AbortSignal.timeout(options.timeoutMs)
      try {
        const target = new URL(url)
        if (!options.allowedHosts.includes(hostOf(target))) await vetHost(target.hostname)
        const response = await request(target, {
          method: 'POST',
          dispatcher: agent,
          signal,
          headers: {
            'content-type': 'application/json',
            'user-agent': userAgent,
            'webhook-id': webhookId,
            'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
            'webhook-signature': signature,
          },
          body,
        })
        const responseBody = await excerpt(response.body, signal)
        const retryAfterMs = parseRetryAfter(header(response.headers['retry-after']), new Date())
        const outcome: AttemptOutcome = {
          kind: 'answered',
          status: response.statusCode,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        }
        return { outcome, durationMs: elapsed(), responseBody }
      } catch (error) {
        return { outcome: { kind: 'error', error: describe(error, signal) }, durationMs: elapsed() }
      } finally {
        agent.destroy().catch(() => {})
      }
    },
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

/** The first kilobyte of the answer, as text; the rest is discarded unread. */
async function excerpt(
  body: AsyncIterable<Buffer> & { destroy(): unknown },
  signal: AbortSignal,
): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  try {
    for await (const chunk of body) {
      chunks.push(chunk)
      size += chunk.length
      if (size >= maxBodyExcerpt || signal.aborted) break
    }
  } catch {
    // The answer's status counts; a body cut short is still an excerpt.
  } finally {
    body.destroy()
  }
  return Buffer.concat(chunks).subarray(0, maxBodyExcerpt).toString('utf8')
}

function describe(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) return 'timeout: no answer in time'
  const seen = new Set<unknown>()
  let current: unknown = error
  const parts: string[] = []
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current)
    const code = (current as NodeJS.ErrnoException).code
    parts.push(code ? `${code}: ${current.message}` : current.message)
    current = current.cause
  }
  return (parts.join(' <- ') || String(error)).slice(0, 500)
}
