import { describe, expect, it } from 'vitest'
import type { users } from '@emporium/contracts'
import { createAddressBook } from './address-book.js'
import { createFakes } from './fakes-test-support.js'
import { createRegister } from './register.js'

async function setup() {
  const fakes = createFakes()
  const deps = { ...fakes.session, store: fakes.store, hasher: fakes.hasher.hasher }
  const register = createRegister(deps)
  const ada = await register({ email: 'ada@example.com', password: 'correct horse', name: 'Ada' })
  const bob = await register({ email: 'bob@example.com', password: 'correct horse', name: 'Bob' })
  const book = createAddressBook({ store: fakes.store, now: fakes.clock.now })
  return { ...fakes, book, ada: { userId: ada.user.id }, bob: { userId: bob.user.id } }
}

const home: users.AddressInput = {
  name: 'Ada Lovelace',
  line1: '12 St James Square',
  city: 'London',
  postalCode: 'SW1Y 4JH',
  country: 'GB',
}

describe('address book', () => {
  it('makes the first address the default and lists the default first, then the newest', async () => {
    const { book, ada, clock } = await setup()
    const first = await book.add(ada, { ...home, label: 'Home', isDefault: false })
    expect(first).toMatchObject({ label: 'Home', isDefault: true, country: 'GB' })
    expect(first).not.toHaveProperty('line2')
    clock.advance(1)
    const second = await book.add(ada, { ...home, line1: '1 Work Road', phone: '+44 20' })
    expect(second).toMatchObject({ label: null, isDefault: false, phone: '+44 20' })
    clock.advance(1)
    const third = await book.add(ada, { ...home, line1: '3 Third Street', isDefault: true })
    const { items } = await book.list(ada)
    expect(items.map((a) => [a.id, a.isDefault])).toEqual([
      [third.id, true],
      [second.id, false],
      [first.id, false],
    ])
  })

  it('holds at most 20 addresses: the 21st is a 409 and nothing is written', async () => {
    const { book, ada, addresses } = await setup()
    for (let i = 0; i < 20; i += 1) await book.add(ada, { ...home, line1: `${i} Road` })
    await expect(book.add(ada, home)).rejects.toMatchObject({
      kind: 'conflict',
      code: 'USERS.ADDRESS_BOOK_FULL',
    })
    expect(addresses()).toHaveLength(20)
    expect(addresses().filter((a) => a.isDefault)).toHaveLength(1)
  })

  it('patches fields, clears optional ones with null, and moves the default', async () => {
    const { book, ada, clock } = await setup()
    const first = await book.add(ada, { ...home, line2: 'Flat 2', region: 'Greater London' })
    const second = await book.add(ada, { ...home, line1: '1 Work Road', label: 'Work' })
    clock.advance(5)
    const patched = await book.update(ada, first.id, { line2: null, region: null, city: 'Bath' })
    expect(patched).toMatchObject({ city: 'Bath', isDefault: true })
    expect(patched).not.toHaveProperty('line2')
    expect(patched).not.toHaveProperty('region')
    expect(patched.updatedAt).not.toBe(first.updatedAt)
    await book.update(ada, second.id, { isDefault: true, label: null })
    const { items } = await book.list(ada)
    expect(items.map((a) => [a.id, a.isDefault, a.label])).toEqual([
      [second.id, true, null],
      [first.id, false, null],
    ])
  })

  it('refuses to unset the default (400) and changes nothing', async () => {
    const { book, ada } = await setup()
    const only = await book.add(ada, home)
    await expect(
      book.update(ada, only.id, { isDefault: false, city: 'Bath' }),
    ).rejects.toMatchObject({ kind: 'invalid', code: 'USERS.DEFAULT_ADDRESS_REQUIRED' })
    expect((await book.list(ada)).items[0]).toMatchObject({ city: 'London', isDefault: true })
  })

  it('deleting the default makes the most recently updated remaining address the default', async () => {
    const { book, ada, clock } = await setup()
    const a = await book.add(ada, { ...home, line1: 'A' })
    clock.advance(1)
    const b = await book.add(ada, { ...home, line1: 'B' })
    clock.advance(1)
    const c = await book.add(ada, { ...home, line1: 'C' })
    clock.advance(1)
    await book.update(ada, b.id, { label: 'touched' })
    await book.remove(ada, a.id)
    const { items } = await book.list(ada)
    expect(items.map((x) => [x.id, x.isDefault])).toEqual([
      [b.id, true],
      [c.id, false],
    ])
  })

  it("answers 404 for another account's address, an unknown id and a non-UUID id", async () => {
    const { book, ada, bob, addresses } = await setup()
    const mine = await book.add(ada, home)
    const notFound = { kind: 'not_found', code: 'USERS.ADDRESS_NOT_FOUND' }
    await expect(book.update(bob, mine.id, { city: 'Bath' })).rejects.toMatchObject(notFound)
    await expect(book.remove(bob, mine.id)).rejects.toMatchObject(notFound)
    await expect(book.remove(ada, crypto.randomUUID())).rejects.toMatchObject(notFound)
    await expect(book.update(ada, 'not-a-uuid', {})).rejects.toMatchObject(notFound)
    expect((await book.list(bob)).items).toEqual([])
    expect(addresses()).toEqual([expect.objectContaining({ id: mine.id, city: 'London' })])
  })
})
