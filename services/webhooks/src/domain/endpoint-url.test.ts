import { describe, expect, it } from 'vitest'
import { checkEndpointUrl } from './endpoint-url.js'

describe('checkEndpointUrl', () => {
  it('takes https URLs, without their fragment', () => {
    expect(checkEndpointUrl('https://partner.example/hooks?x=1#frag', [])).toEqual({
      ok: true,
      url: 'https://partner.example/hooks?x=1',
    })
  })

  it('refuses http unless the host is on the allow-list', () => {
    expect(checkEndpointUrl('http://partner.example/hooks', [])).toMatchObject({ ok: false })
    expect(checkEndpointUrl('http://127.0.0.1:8080/h', [])).toMatchObject({ ok: false })
    expect(checkEndpointUrl('http://127.0.0.1:8080/h', ['127.0.0.1'])).toMatchObject({ ok: true })
    expect(checkEndpointUrl('http://[::1]:8080/h', ['::1'])).toMatchObject({ ok: true })
    expect(checkEndpointUrl('http://LOCALHOST/h', ['localhost'])).toMatchObject({ ok: true })
  })

  it('refuses userinfo, other schemes, relative and long URLs', () => {
    for (const url of [
      'https://user:pass@partner.example/',
      'https://user@partner.example/',
      'ftp://partner.example/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      '/relative',
      'not a url',
      `https://partner.example/${'a'.repeat(2048)}`,
    ]) {
      expect(checkEndpointUrl(url, ['partner.example']), url).toMatchObject({ ok: false })
    }
  })
})
