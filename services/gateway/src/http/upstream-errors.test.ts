import { isAppError } from '@emporium/platform'
import { describe, expect, it } from 'vitest'
import { ConnectFault, SocketFault, UpstreamFault } from '../domain/upstream-faults.js'
import { classify } from './upstream-errors.js'

const failure = (code: string, message = code) => Object.assign(new Error(message), { code })

describe('classify', () => {
  it('blames the request, not the upstream, when undici refused to send it', () => {
    for (const code of ['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED']) {
      const classified = classify('catalog', new Error('wrapped', { cause: failure(code) }))
      expect(classified, code).not.toBeInstanceOf(UpstreamFault)
      expect(isAppError(classified) && classified.status).toBe(400)
      expect(classified).toMatchObject({ code: 'HTTP.BAD_REQUEST' })
    }
  })

  it('blames the upstream for a refused or broken connection', () => {
    expect(classify('catalog', failure('ECONNREFUSED'))).toBeInstanceOf(ConnectFault)
    expect(classify('catalog', failure('UND_ERR_SOCKET'))).toBeInstanceOf(SocketFault)
  })
})
