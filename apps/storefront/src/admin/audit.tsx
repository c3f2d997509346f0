import { useState } from 'preact/hooks'
import { listAudit, type AuditEntry, type AuditFilter } from '../api/reports'
import { listStaff, type StaffMember } from '../api/staff'
import { ErrorMessage, LoadState, useLoad } from '../components/ui'
import { changeLines } from '../lib/audit-change'
import { formatDate } from '../lib/format'
import './back-office.css'

const fields = [
  ['actorId', 'Actor (user id)', 'text', ''],
  ['action', 'Action', 'text', 'staff.invited'],
  ['entityType', 'Entity type', 'text', 'order'],
  ['entityId', 'Entity id', 'text', ''],
  ['from', 'From', 'date', ''],
  ['to', 'To', 'date', ''],
] as const

/** A day typed in the form as the API's date-times: from its first instant to its last (UTC). */
function filterOf(form: FormData): AuditFilter {
  const text = (name: string) => form.get(name)?.toString().trim() || undefined
  const from = text('from')
  const to = text('to')
  return {
    actorId: text('actorId'),
    action: text('action'),
    entityType: text('entityType'),
    entityId: text('entityId'),
    from: from ? `${from}T00:00:00.000Z` : undefined,
    to: to ? `${to}T23:59:59.999Z` : undefined,
  }
}

/** The audit trail (issue 19): every staff action, newest first, searched and paged. */
export function AdminAudit() {
  const [filter, setFilter] = useState<AuditFilter>({})
  const first = useLoad((signal) => listAudit(filter, undefined, signal), [filter])
  // Actors by name where the member may list staff; their ids alone otherwise.
  const staff = useLoad((signal) => listStaff(signal).catch(() => []), [])
  const names = new Map((staff.data ?? []).map((m) => [m.userId, m]))
  const [more, setMore] = useState<{
    filter: AuditFilter
    items: AuditEntry[]
    next: string | null
  }>()
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  const extra = more?.filter === filter ? more : undefined
  const items = [...(first.data?.items ?? []), ...(extra?.items ?? [])]
  const next = extra ? extra.next : (first.data?.nextCursor ?? null)

  async function loadMore() {
    if (!next) return
    setBusy(true)
    setError(undefined)
    try {
      const page = await listAudit(filter, next)
      setMore({ filter, items: [...(extra?.items ?? []), ...page.items], next: page.nextCursor })
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <section aria-labelledby="admin-audit">
      <h2 id="admin-audit">Audit trail</h2>
      <form
        class="filters"
        aria-label="Search the audit trail"
        onSubmit={(event) => {
          event.preventDefault()
          setFilter(filterOf(new FormData(event.currentTarget)))
        }}
      >
        {fields.map(([name, label, type, example]) => (
          <div class="field" key={name}>
            <label for={`audit-${name}`}>{label}</label>
            <input
              id={`audit-${name}`}
              name={name}
              type={type}
              placeholder={example ? `e.g. ${example}` : undefined}
            />
          </div>
        ))}
        <div class="actions">
          <button type="submit">Search</button>
        </div>
      </form>
      <LoadState state={first} />
      {first.data && items.length === 0 && <p>No staff actions match.</p>}
      {items.length > 0 && (
        <div class="table-wrap">
          <table class="audit-table">
            <caption class="visually-hidden">Staff actions, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">Change</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <AuditRow key={entry.id} entry={entry} actor={names.get(entry.actor.userId)} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ErrorMessage error={error} />
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={busy}>
          Load more actions
        </button>
      )}
    </section>
  )
}

function AuditRow({ entry, actor }: { entry: AuditEntry; actor: StaffMember | undefined }) {
  const lines = changeLines(entry.before, entry.after)
  return (
    <tr>
      <td data-label="When">{formatDate(entry.at)}</td>
      <td data-label="Who">
        {actor && (
          <>
            {actor.name} <span class="muted">{actor.email}</span>
            <br />
          </>
        )}
        <code>{entry.actor.userId}</code>
        {entry.actor.roles.length > 0 && (
          <>
            <br />
            <span class="muted">{entry.actor.roles.join(', ')}</span>
          </>
        )}
      </td>
      <td data-label="What">
        <strong>{entry.action}</strong>
        {entry.source && <span class="muted"> (by {entry.source})</span>}
        <br />
        <span class="muted">
          {entry.entity.type} <code>{entry.entity.id}</code>
        </span>
      </td>
      <td data-label="Change">
        {lines.length === 0 ? (
          <span class="muted">no change</span>
        ) : (
          <ul class="change-lines">
            {lines.map((line, i) => (
              <li key={line.field ?? i}>
                {line.field && <span class="muted">{line.field}: </span>}
                {line.before} → {line.after}
              </li>
            ))}
          </ul>
        )}
      </td>
    </tr>
  )
}
