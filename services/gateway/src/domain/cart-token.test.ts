import { describe, expect, it } from 'vitest'
import {
  cartCookieHeader,
  clearedCartCookieHeader,
  issuedCartToken,
  presentedCartToken,
} from './cart-token.js'

describe('cart tokens at the gateway', () => {
  it('takes the X-Cart-Token header first, else the emporium_cart cookie', () => {
    expect(presentedCartToken({ 'x-cart-token': 'a.b.c', cookie: 'emporium_cart=d.e.f' })).toBe(
      'a.b.c',
    )
    expect(presentedCartToken({ cookie: 'x=1; emporium_cart=d.e.f; y=2' })).toBe('d.e.f')
    expect(presentedCartToken({ 'x-cart-token': ' ', cookie: 'emporium_cart=d.e.f' })).toBe('d.e.f')
    expect(presentedCartToken({ cookie: 'emporium_cart=' })).toBeUndefined()
    expect(presentedCartToken({ cookie: 'emporium_device=z' })).toBeUndefined()
    expect(presentedCartToken({})).toBeUndefined()
  })

  it('sets an HttpOnly, SameSite=Strict cookie on the API path, Secure over https', () => {
    expect(cartCookieHeader('a.b.c', 2_592_000, false)).toBe(
      'emporium_cart=a.b.c; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age=2592000',
    )
    expect(cartCookieHeader('a.b.c', 60, true)).toMatch(/; Secure$/)
    expect(clearedCartCookieHeader(false)).toBe(
      'emporium_cart=; HttpOnly; SameSite=Strict; Path=/api/v1; Max-Age=0',
    )
  })

  it("reads the users service's 201 body, refusing anything that is not a token and a lifetime", () => {
    expect(issuedCartToken('{"cartToken":"a.b.c","expiresIn":60}')).toEqual({
      token: 'a.b.c',
      expiresIn: 60,
    })
    for (const body of [
      'not json',
      'null',
      '{"cartToken":"a.b.c"}',
      '{"cartToken":"a.b.c; Domain=evil","expiresIn":60}',
      '{"cartToken":"a.b.c","expiresIn":-1}',
      '{"cartToken":42,"expiresIn":60}',
    ]) {
      expect(issuedCartToken(body)).toBeUndefined()
    }
  })
})
