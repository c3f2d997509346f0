import { useEffect, useRef, useState } from 'preact/hooks'
import { searchCustomers, type Customer } from '../api/backoffice'
import { changeStaffRoles, type StaffMember } from '../api/staff'
import { ErrorMessage } from '../components/ui'
import { roleWords, staffRoles, type StaffRole } from '../lib/permissions'

/** What the form was asked to look for from outside: an address an invitation found taken. */
export interface GrantPrefill {
  email: string
  /** Changes with each ask, so that the same address asked twice searches again. */
  round: number
}

/**
 * Gives an account that exists already (a shopper's) staff roles (issue 19): an invitation is
 * for an address without an account (`409 USERS.EMAIL_TAKEN` otherwise). The owner finds the
 * account by e-mail or name (`GET /api/v1/customers?q=`, customers.read, which the owner holds),
 * picks it, chooses roles, and the page sets them (`PUT /api/v1/staff/{userId}/roles`). Accounts
 * that are staff already are shown but not offered: their roles are changed in the members' list.
 */
export function GrantForm({
  staffIds,
  prefill,
  onGranted,
}: {
  /** The user ids of the members listed below. */
  staffIds: ReadonlySet<string>
  prefill: GrantPrefill | undefined
  onGranted: (member: StaffMember) => void
}) {
  const [query, setQuery] = useState('')
  const [found, setFound] = useState<Customer[] | undefined>(undefined)
  const [picked, setPicked] = useState<string | undefined>(undefined)
  const [roles, setRoles] = useState<StaffRole[]>([])
  const [searching, setSearching] = useState(false)
  const [saving, setSaving] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const searchField = useRef<HTMLInputElement>(null)

  async function search(text: string) {
    setSearching(true)
    setError(undefined)
    setPicked(undefined)
    try {
      const page = await searchCustomers(text)
      setFound(page.items)
      // One account that can be given a role: picked for the owner.
      const offered = page.items.filter((c) => !staffIds.has(c.id))
      if (offered.length === 1) setPicked(offered[0]!.id)
    } catch (failure) {
      setFound(undefined)
      setError(failure)
    } finally {
      setSearching(false)
    }
  }

  // An invitation refused for an existing account: its address searched here, the field focused.
  useEffect(() => {
    if (!prefill) return
    setQuery(prefill.email)
    searchField.current?.focus()
    void search(prefill.email)
  }, [prefill?.email, prefill?.round])

  function toggle(role: StaffRole, on: boolean) {
    setRoles((held) =>
      on
        ? staffRoles.filter((r) => r === role || held.includes(r))
        : held.filter((r) => r !== role),
    )
  }

  async function give(event: SubmitEvent) {
    event.preventDefault()
    if (!picked || roles.length === 0) return
    setSaving(true)
    setError(undefined)
    try {
      const member = await changeStaffRoles(picked, roles)
      setFound(undefined)
      setPicked(undefined)
      setRoles([])
      setQuery('')
      onGranted(member)
    } catch (failure) {
      setError(failure)
    } finally {
      setSaving(false)
    }
  }

  const account = found?.find((c) => c.id === picked)
  return (
    <section class="grant-form" aria-labelledby="grant-heading">
      <h3 id="grant-heading">Give an existing account a role</h3>
      <p class="muted">
        Someone who already has an account (a customer) is not invited: find their account and give
        it roles.
      </p>
      <form
        class="search"
        role="search"
        aria-label="Find an account"
        onSubmit={(event) => {
          event.preventDefault()
          const text = query.trim()
          if (text) void search(text)
        }}
      >
        <label for="grant-search">Find an account (e-mail or name)</label>
        <input
          id="grant-search"
          ref={searchField}
          type="search"
          required
          autoComplete="off"
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
        <button type="submit" disabled={searching}>
          {searching ? 'Searching…' : 'Find accounts'}
        </button>
      </form>
      {found?.length === 0 && <p role="status">No account matches.</p>}
      {found && found.length > 0 && (
        <form
          class="stack"
          aria-label="Roles for the account"
          onSubmit={(event) => void give(event)}
        >
          <fieldset>
            <legend>Account</legend>
            {found.map((customer) => {
              const member = staffIds.has(customer.id)
              return (
                <label key={customer.id} class="check">
                  <input
                    type="radio"
                    name="account"
                    value={customer.id}
                    checked={picked === customer.id}
                    disabled={member}
                    onChange={() => setPicked(customer.id)}
                  />{' '}
                  {customer.name} <span class="muted">{customer.email}</span>
                  {member && <span class="muted"> (staff already: change their roles below)</span>}
                </label>
              )
            })}
          </fieldset>
          <fieldset>
            <legend>Roles to give{account ? ` ${account.name}` : ''}</legend>
            {staffRoles.map((role) => (
              <label key={role} class="check">
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  checked={roles.includes(role)}
                  onChange={(event) => toggle(role, event.currentTarget.checked)}
                />{' '}
                {roleWords[role]}
              </label>
            ))}
          </fieldset>
          <button type="submit" class="primary" disabled={saving || !picked || roles.length === 0}>
            {saving ? 'Please wait…' : 'Give the roles'}
          </button>
        </form>
      )}
      <ErrorMessage error={error} />
    </section>
  )
}
