import type { LookupAddress } from 'node:dns'
import { describe, expect, it } from 'vitest'
import { AddressRefused, guardedLookup, refusalOf, vetHost } from './address-guard.js'

describe('refusalOf', () => {
  it('refuses private, loopback, link-local, unique-local, multicast, unspecified, mapped', () => {
    for (const address of [
      '127.0.0.1',
      '127.1.2.3',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fc00::1',
      'fd12:3456::1',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:8.8.8.8',
      '64:ff9b::a00:1',
    ]) {
      expect(refusalOf(address), address).toMatch(/not public/)
    }
  })

  it('lets public addresses through', () => {
    for (const address of ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111']) {
      expect(refusalOf(address), address).toBeUndefined()
    }
  })
})

describe('vetHost', () => {
  const resolver =
    (table: Record<string, string[]>) =>
    async (host: string): Promise<LookupAddress[]> =>
      (table[host] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }))

  it('refuses a host when any of its addresses is not public', async () => {
    const resolve = resolver({
      'metadata.example': ['169.254.169.254'],
      'mixed.example': ['93.184.216.34', '10.1.2.3'],
      'good.example': ['93.184.216.34'],
    })
    await expect(vetHost('metadata.example', resolve)).rejects.toBeInstanceOf(AddressRefused)
    await expect(vetHost('mixed.example', resolve)).rejects.toThrow(/10\.1\.2\.3/)
    await expect(vetHost('nowhere.example', resolve)).rejects.toThrow(/no address/)
    await expect(vetHost('good.example', resolve)).resolves.toHaveLength(1)
    await expect(vetHost('169.254.169.254')).rejects.toThrow(/169\.254\.169\.254/)
    await expect(vetHost('[::1]')).rejects.toThrow(/not public/)
  })

  it('resolves localhost with the system resolver and refuses it', async () => {
    await expect(vetHost('localhost')).rejects.toBeInstanceOf(AddressRefused)
  })

  it('hands the socket the vetted address, or the refusal', async () => {
    // A rebinding resolver: public at the first answer, loopback at the next.
    let calls = 0
    const rebinding = async (): Promise<LookupAddress[]> => [
      { address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 },
    ]
    const lookup = guardedLookup([], rebinding)
    const ask = () =>
      new Promise<string>((resolve, reject) =>
        lookup('rebind.example', {}, (error, address) =>
          error ? reject(error) : resolve(address as string),
        ),
      )
    await expect(ask()).resolves.toBe('93.184.216.34')
    await expect(ask()).rejects.toBeInstanceOf(AddressRefused)
    // On the allow-list: no check.
    const allowed = guardedLookup(['rebind.example'], rebinding)
    await expect(
      new Promise((resolve, reject) =>
        allowed('rebind.example', {}, (error, address) =>
          error ? reject(error) : resolve(address),
        ),
      ),
    ).resolves.toBe('127.0.0.1')
  })
})
