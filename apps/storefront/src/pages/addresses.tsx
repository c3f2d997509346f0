import { useEffect, useRef, useState } from 'preact/hooks'
import {
  addAddress,
  changeAddress,
  listAddresses,
  removeAddress,
  type SavedAddress,
} from '../api/account'
import { AddressFields } from '../components/address-fields'
import { ErrorMessage, LoadState, useLoad, useTitle } from '../components/ui'
import { addressBody, readAddress } from '../lib/address'
import { withSaved } from '../lib/address-book'
import { countryName } from '../lib/countries'
import { RequireSignIn } from './auth'

/** The most addresses a book holds (the API's 409 `USERS.ADDRESS_BOOK_FULL` beyond). */
const bookSize = 20

export function AddressBookPage() {
  useTitle('Your addresses')
  return (
    <RequireSignIn>
      <AddressBook />
    </RequireSignIn>
  )
}

/** How an address is called on the page: its label, else its name and first line. */
export const addressTitle = (address: SavedAddress) =>
  address.label || `${address.name}, ${address.line1}`

/** An address on one line, as a choice shows it. */
export function addressLine(address: SavedAddress): string {
  return [
    address.name,
    address.line1,
    address.line2,
    `${address.postalCode} ${address.city}`,
    address.region,
    countryName(address.country),
  ]
    .filter(Boolean)
    .join(', ')
}

type Editing = { mode: 'new' } | { mode: 'edit'; address: SavedAddress } | undefined

function AddressBook() {
  const book = useLoad(() => listAddresses(), [])
  const [editing, setEditing] = useState<Editing>(undefined)
  const [busy, setBusy] = useState<string | undefined>(undefined)
  const [error, setError] = useState<unknown>(undefined)
  const [said, setSaid] = useState<string | undefined>(undefined)
  const heading = useRef<HTMLHeadingElement>(null)

  /** Runs a change; `after` is the list as it now is, shown until the book is read again. */
  async function act(
    what: string,
    run: () => Promise<unknown>,
    after: (items: SavedAddress[]) => SavedAddress[],
    done: string,
  ) {
    setBusy(what)
    setError(undefined)
    setSaid(undefined)
    try {
      await run()
      book.setData(after(book.data ?? []))
      setSaid(done)
      book.reload()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(undefined)
    }
  }

  const items = book.data ?? []
  return (
    <section>
      <h1 ref={heading} tabIndex={-1}>
        Your addresses
      </h1>
      <p class="muted">
        Addresses you ship to, chosen at checkout. Your default address comes first and is chosen
        for you.
      </p>
      <LoadState state={book} />
      {said && (
        <p class="notice info" role="status">
          {said}
        </p>
      )}
      {book.data && items.length === 0 && <p>Your address book is empty.</p>}
      {items.length > 0 && (
        <ul class="address-list">
          {items.map((address) => {
            const title = addressTitle(address)
            return (
              <li key={address.id} class="address-card">
                <p>
                  <strong>{title}</strong>
                  {address.isDefault && <span class="badge">Default</span>}
                </p>
                <p>{addressLine(address)}</p>
                {address.phone && <p class="muted">Phone: {address.phone}</p>}
                <p class="actions">
                  <button
                    type="button"
                    disabled={busy !== undefined}
                    onClick={() => {
                      setSaid(undefined)
                      setError(undefined)
                      setEditing({ mode: 'edit', address })
                    }}
                  >
                    Edit<span class="visually-hidden"> {title}</span>
                  </button>
                  {!address.isDefault && (
                    <button
                      type="button"
                      disabled={busy !== undefined}
                      onClick={() =>
                        void act(
                          `default:${address.id}`,
                          () => changeAddress(address.id, { isDefault: true }),
                          (list) => [
                            { ...address, isDefault: true },
                            ...list
                              .filter((a) => a.id !== address.id)
                              .map((a) => ({ ...a, isDefault: false })),
                          ],
                          `${title} is now your default address.`,
                        )
                      }
                    >
                      Make default<span class="visually-hidden"> {title}</span>
                    </button>
                  )}
                  <button
                    type="button"
                    class="danger"
                    disabled={busy !== undefined}
                    onClick={() =>
                      void act(
                        `delete:${address.id}`,
                        async () => {
                          await removeAddress(address.id)
                          if (editing?.mode === 'edit' && editing.address.id === address.id) {
                            setEditing(undefined)
                          }
                        },
                        (list) => list.filter((a) => a.id !== address.id),
                        `${title} is deleted.`,
                      )
                    }
                  >
                    Delete<span class="visually-hidden"> {title}</span>
                  </button>
                </p>
              </li>
            )
          })}
        </ul>
      )}
      {editing === undefined && <ErrorMessage error={error} />}
      {editing === undefined && book.data && (
        <p>
          <button
            type="button"
            class="primary"
            onClick={() => {
              setSaid(undefined)
              setError(undefined)
              setEditing({ mode: 'new' })
            }}
          >
            Add an address
          </button>
          {items.length >= bookSize && (
            <span class="muted">
              {' '}
              Your book holds {bookSize} addresses at most: delete one to add another.
            </span>
          )}
        </p>
      )}
      {editing && (
        <AddressForm
          key={editing.mode === 'edit' ? editing.address.id : 'new'}
          address={editing.mode === 'edit' ? editing.address : undefined}
          first={items.length === 0}
          onCancel={() => {
            setEditing(undefined)
            heading.current?.focus()
          }}
          onSaved={(saved, created) => {
            setEditing(undefined)
            // Shown at once, as the book will read: the list does not move under the pointer
            // when the reload lands.
            book.setData(withSaved(book.data ?? [], saved))
            setSaid(`${addressTitle(saved)} is ${created ? 'added' : 'saved'}.`)
            book.reload()
            heading.current?.focus()
          }}
        />
      )}
    </section>
  )
}

/** Adds an address, or changes `address`; its problems are shown beside its buttons. */
function AddressForm({
  address,
  first,
  onCancel,
  onSaved,
}: {
  address?: SavedAddress
  first: boolean
  onCancel: () => void
  onSaved: (saved: SavedAddress, created: boolean) => void
}) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const title = address ? `Edit ${addressTitle(address)}` : 'New address'
  const firstField = useRef<HTMLInputElement>(null)
  // The button that opened the form is gone: keyboard and screen-reader users start in it.
  useEffect(() => firstField.current?.focus(), [])

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const form = new FormData(event.currentTarget as HTMLFormElement)
    const fields = readAddress(form)
    const label = form.get('label')?.toString().trim() ?? ''
    const makeDefault = form.get('isDefault') === 'on'
    setBusy(true)
    setError(undefined)
    try {
      const saved = address
        ? await changeAddress(address.id, {
            label: label || null,
            name: fields.name,
            line1: fields.line1,
            line2: fields.line2 || null,
            city: fields.city,
            postalCode: fields.postalCode,
            country: fields.country,
            region: fields.region || null,
            phone: fields.phone || null,
            ...(makeDefault ? { isDefault: true } : {}),
          })
        : await addAddress({
            ...(label ? { label } : {}),
            ...addressBody(fields),
            isDefault: makeDefault,
          })
      onSaved(saved, !address)
    } catch (failure) {
      setError(failure)
      setBusy(false)
    }
  }

  return (
    <form
      class="checkout address-form"
      aria-labelledby="address-form-title"
      onSubmit={(event) => void submit(event)}
    >
      <fieldset>
        <legend id="address-form-title">{title}</legend>
        <div class="field">
          <label for="ab-label">Label (optional, e.g. Home or Work)</label>
          <input
            id="ab-label"
            name="label"
            ref={firstField}
            maxLength={50}
            defaultValue={address?.label ?? ''}
          />
        </div>
        <AddressFields
          prefix="ab"
          values={
            address && {
              name: address.name,
              line1: address.line1,
              line2: address.line2 ?? '',
              city: address.city,
              postalCode: address.postalCode,
              country: address.country,
              region: address.region ?? '',
              phone: address.phone ?? '',
            }
          }
        />
        {address?.isDefault ? (
          <p class="muted">This is your default address.</p>
        ) : (
          <div class="field checkbox">
            <input id="ab-default" name="isDefault" type="checkbox" defaultChecked={first} />
            <label for="ab-default">Use as my default address</label>
          </div>
        )}
      </fieldset>
      <ErrorMessage error={error} />
      <p class="actions">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : address ? 'Save address' : 'Add address'}
        </button>
        <button type="button" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
      </p>
    </form>
  )
}
