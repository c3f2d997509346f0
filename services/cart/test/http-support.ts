import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose'

/**
 * A tiny real HTTP server answering from a handler (status 0: never answers, like a hung
 * upstream); stop() makes it unreachable.
 */
export async function localServer(
  handle: (method: string, path: string) => { status: number; body?: unknown },
  port = 0,
) {
  const server: Server = createServer((request, response) => {
    const { status, body } = handle(request.method ?? 'GET', request.url ?? '/')
    if (status === 0) return
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(body === undefined ? '' : JSON.stringify(body))
  })
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  const actual = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

/** An issuer of test access tokens, with its JWKS served over HTTP like the users service's. */
export async function tokenIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true })
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-1', alg: 'EdDSA', use: 'sig' }
  const jwks = await localServer(() => ({ status: 200, body: { keys: [jwk] } }))
  return {
    jwksUrl: `${jwks.url}/.well-known/jwks.json`,
    sign: (
      userId: string,
      key: CryptoKey = privateKey,
      roles: string[] = ['customer'],
      expiresAt?: number,
    ) =>
      new SignJWT({ roles })
        .setProtectedHeader({ alg: 'EdDSA', kid: 'test-1' })
        .setSubject(userId)
        .setIssuer('emporium-users')
        .setAudience('emporium')
        .setJti(crypto.randomUUID())
        .setIssuedAt()
        .setExpirationTime(expiresAt ?? '5m')
        .sign(key),
    stop: jwks.stop,
  }
}
