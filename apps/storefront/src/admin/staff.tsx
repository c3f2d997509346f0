import { EmporiumProblem } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { changeStaffRoles, inviteStaff, listStaff, type StaffMember } from '../api/staff'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import { formatDate } from '../lib/format'
import { roleWords, staffRoles, staffRolesOf, type StaffRole } from '../lib/permissions'
import { GrantForm, type GrantPrefill } from './staff-grant'
import './back-office.css'

/** A refusal to take the owner role from the shop's last owner, in the back office's words. */
const lastOwnerWords =
  'The shop needs at least one owner: give another member the Owner role before taking it ' +
  'from this one.'

/** An invitation refused because the address has an account (API.md: give it a role instead). */
const isTaken = (error: unknown) =>
  error instanceof EmporiumProblem && error.code === 'USERS.EMAIL_TAKEN'

const explain = (error: unknown) =>
  error instanceof EmporiumProblem && error.code === 'USERS.LAST_OWNER'
    ? new Error(lastOwnerWords)
    : isTaken(error)
      ? new Error(
          'That address has an account already, so it cannot be invited: give the account a ' +
            'role under "Give an existing account a role" (the address is searched there), or, ' +
            'for a member of staff, change their roles in the list below.',
        )
      : error

/**
 * Staff (issue 19): who they are and their roles; invite by e-mail; give an existing account
 * roles; change a member's roles.
 */
export function AdminStaff() {
  const staff = useLoad((signal) => listStaff(signal), [])
  const [notice, setNotice] = useState('')
  const [prefill, setPrefill] = useState<GrantPrefill>()
  const staffIds = new Set(staff.data?.map((member) => member.userId) ?? [])
  return (
    <section aria-labelledby="admin-staff">
      <h2 id="admin-staff">Staff</h2>
      {notice && <Notice>{notice}</Notice>}
      <InviteForm
        onInvited={(email) => setNotice(`Invitation sent to ${email}.`)}
        onTaken={(email) => setPrefill((last) => ({ email, round: (last?.round ?? 0) + 1 }))}
      />
      <GrantForm
        staffIds={staffIds}
        prefill={prefill}
        onGranted={(member) => {
          setNotice(`Roles of ${member.name} saved.`)
          staff.reload()
        }}
      />
      <h3>Members</h3>
      <LoadState state={staff} />
      {staff.data?.length === 0 && <p>No staff yet.</p>}
      {staff.data && staff.data.length > 0 && (
        <ul class="admin-list staff-list">
          {staff.data.map((member) => (
            <MemberRow
              key={member.userId}
              member={member}
              onChanged={(roles) => {
                staff.setData(
                  staff.data!.map((m) => (m.userId === member.userId ? { ...m, roles } : m)),
                )
                setNotice(`Roles of ${member.name} saved.`)
              }}
            />
          ))}
        </ul>
      )}
    </section>
  )
}

function InviteForm({
  onInvited,
  onTaken,
}: {
  onInvited: (email: string) => void
  onTaken: (email: string) => void
}) {
  // Support unless chosen otherwise: the least an invitation should give by accident.
  const [role, setRole] = useState<StaffRole>('support')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  async function submit(event: SubmitEvent) {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const email = data.get('email')?.toString().trim() ?? ''
    setBusy(true)
    setError(undefined)
    try {
      const invitation = await inviteStaff(email, role)
      // Only the address is cleared: a reset would show the select's first role, not the state's.
      const field = form.elements.namedItem('email')
      if (field instanceof HTMLInputElement) field.value = ''
      setRole('support')
      onInvited(invitation.email || email)
    } catch (failure) {
      setError(explain(failure))
      if (isTaken(failure)) onTaken(email)
    } finally {
      setBusy(false)
    }
  }
  return (
    <form
      class="stack invite-form"
      aria-labelledby="invite-heading"
      onSubmit={(event) => void submit(event)}
    >
      <h3 id="invite-heading">Invite a member of staff</h3>
      <div class="field">
        <label for="invite-email">Email</label>
        <input id="invite-email" name="email" type="email" required autoComplete="off" />
      </div>
      <div class="field">
        <label for="invite-role">Role</label>
        <select
          id="invite-role"
          name="role"
          value={role}
          onChange={(event) => setRole(event.currentTarget.value as StaffRole)}
        >
          {staffRoles.map((role) => (
            <option key={role} value={role}>
              {roleWords[role]}
            </option>
          ))}
        </select>
      </div>
      <ErrorMessage error={error} />
      <button type="submit" class="primary" disabled={busy}>
        {busy ? 'Please wait…' : 'Send invitation'}
      </button>
    </form>
  )
}

function MemberRow({
  member,
  onChanged,
}: {
  member: StaffMember
  onChanged: (roles: string[]) => void
}) {
  const held = staffRolesOf(member.roles)
  const [chosen, setChosen] = useState<StaffRole[]>(held)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const changed = chosen.length !== held.length || chosen.some((r) => !held.includes(r))

  function toggle(role: StaffRole, on: boolean) {
    setChosen((roles) =>
      on
        ? staffRoles.filter((r) => r === role || roles.includes(r))
        : roles.filter((r) => r !== role),
    )
  }

  async function save(event: SubmitEvent) {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      const updated = await changeStaffRoles(member.userId, chosen)
      onChanged(updated.roles)
    } catch (failure) {
      setError(explain(failure))
      setChosen(held)
    } finally {
      setBusy(false)
    }
  }

  const id = `member-${member.userId}`
  return (
    <li class="staff-member">
      {/* Named by name and e-mail: two members may share a name (axe: landmark-unique). */}
      <form onSubmit={(event) => void save(event)} aria-labelledby={`${id}-name ${id}-email`}>
        <p>
          <strong id={`${id}-name`}>{member.name}</strong>{' '}
          <span class="muted" id={`${id}-email`}>
            {member.email}
          </span>
          <br />
          <span class="muted">Account since {formatDate(member.createdAt)}</span>
        </p>
        <fieldset>
          <legend>Roles of {member.name}</legend>
          {staffRoles.map((role) => (
            <label key={role} class="check">
              <input
                type="checkbox"
                name="roles"
                value={role}
                checked={chosen.includes(role)}
                onChange={(event) => toggle(role, event.currentTarget.checked)}
              />{' '}
              {roleWords[role]}
            </label>
          ))}
        </fieldset>
        <ErrorMessage error={error} />
        <button type="submit" disabled={busy || !changed}>
          Save roles<span class="visually-hidden"> of {member.name}</span>
        </button>
      </form>
    </li>
  )
}
