import { describe, expect, it } from 'vitest'
import {
  clientResponseHeaders,
  isIdentityHeader,
  stripIdentityHeaders,
  upstreamRequestHeaders,
} from './forward-headers.js'

const context = {
  forwardedFor: '1.2.3.4, 10.0.0.1',
  proto: 'https',
  host: 'shop.example',
  requestId: 'req-1',
  correlationId: 'corr-1',
  trace: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
}

describe('forward headers', () => {
  it('recognises identity headers in any case', () => {
    for (const name of [
      'x-user-id',
      'X-User-Roles',
      'x-userid',
      'x-identity',
      'x-authenticated-user',
      'remote-user',
      'x-service-authorization',
      'X-Service-Authorization',
    ]) {
      expect(isIdentityHeader(name), name).toBe(true)
    }
    for (const name of ['authorization', 'user-agent', 'x-request-id', 'content-type']) {
      expect(isIdentityHeader(name), name).toBe(false)
    }
  })

  it('strips identity headers in place', () => {
    const headers: Record<string, string> = {
      'x-user-id': 'a',
      'x-identity-email': 'b',
      accept: '*/*',
    }
    expect(stripIdentityHeaders(headers).sort()).toEqual(['x-identity-email', 'x-user-id'])
    expect(headers).toEqual({ accept: '*/*' })
  })

  it('sends the token unchanged and the gateway’s own forwarding and tracing headers', () => {
    const out = upstreamRequestHeaders(
      {
        authorization: 'Bearer abc',
        'x-user-id': 'admin',
        'x-service-authorization': 'Bearer smuggled',
        'x-forwarded-for': 'forged',
        forwarded: 'for=forged',
        'x-request-id': 'client-id',
        traceparent: 'client-trace',
        tracestate: 'client=1',
        'content-type': 'application/json',
      },
      context,
    )
    expect(out).toEqual({
      authorization: 'Bearer abc',
      'content-type': 'application/json',
      'x-forwarded-for': '1.2.3.4, 10.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'shop.example',
      'x-request-id': 'req-1',
      'x-correlation-id': 'corr-1',
      traceparent: context.trace.traceparent,
    })
  })

  it('drops hop-by-hop headers, those the Connection header names, and the client’s host', () => {
    const out = upstreamRequestHeaders(
      {
        host: 'shop.example',
        connection: 'keep-alive, X-Debug-Hop, close',
        'x-debug-hop': '1',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        te: 'trailers',
        upgrade: 'h2c',
        expect: '100-continue',
        'content-type': 'application/json',
        accept: 'application/json',
      },
      { ...context, bodyless: false },
    )
    expect(Object.keys(out).sort()).toEqual([
      'accept',
      'content-type',
      'traceparent',
      'x-correlation-id',
      'x-forwarded-for',
      'x-forwarded-host',
      'x-forwarded-proto',
      'x-request-id',
    ])
  })

  it('drops what the gateway owns from upstream responses', () => {
    const out = clientResponseHeaders({
      'content-type': 'application/json',
      'x-request-id': 'req-1',
      'ratelimit-remaining': '99',
      'access-control-allow-origin': '*',
      server: 'fastify',
      'x-powered-by': 'node',
      'retry-after': '3',
      location: '/api/v1/orders/1',
    })
    expect(out).toEqual({
      'content-type': 'application/json',
      'retry-after': '3',
      location: '/api/v1/orders/1',
    })
  })
})
