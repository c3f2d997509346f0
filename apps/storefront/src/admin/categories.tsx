import type { Category } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'

/** A slug from a name, as a suggestion: lower-case words of letters and digits joined by "-". */
function slugOf(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 100)
}

const slugPattern = '[a-z0-9]+(-[a-z0-9]+)*'

interface FormProps {
  category?: Category
  onSave: (body: { name: string; slug: string }) => Promise<void>
  onCancel?: () => void
}

/** Creates a category, or renames one and changes its slug. */
function CategoryForm({ category, onSave, onCancel }: FormProps) {
  const prefix = category ? `category-${category.id}` : 'category-new'
  const [name, setName] = useState(category?.name ?? '')
  const [slug, setSlug] = useState(category?.slug ?? '')
  const [slugEdited, setSlugEdited] = useState(category !== undefined)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)

  async function submit(event: SubmitEvent) {
    event.preventDefault()
    setBusy(true)
    setError(undefined)
    try {
      await onSave({ name: name.trim(), slug: slug.trim() })
      if (!category) {
        setName('')
        setSlug('')
        setSlugEdited(false)
      }
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  return (
    <form class="panel stack" onSubmit={(event) => void submit(event)}>
      <h3>{category ? `Edit ${category.name}` : 'New category'}</h3>
      <div class="field">
        <label for={`${prefix}-name`}>Name</label>
        <input
          id={`${prefix}-name`}
          name="name"
          required
          maxLength={100}
          value={name}
          onInput={(e) => {
            const value = e.currentTarget.value
            setName(value)
            if (!slugEdited) setSlug(slugOf(value))
          }}
        />
      </div>
      <div class="field">
        <label for={`${prefix}-slug`}>Slug</label>
        <input
          id={`${prefix}-slug`}
          name="slug"
          required
          maxLength={100}
          pattern={slugPattern}
          aria-describedby={`${prefix}-slug-hint`}
          value={slug}
          onInput={(e) => {
            setSlug(e.currentTarget.value)
            setSlugEdited(true)
          }}
        />
        <p id={`${prefix}-slug-hint`} class="muted">
          Lower-case letters and digits, words joined by hyphens (desk-lamps). Shop links use it.
        </p>
      </div>
      <ErrorMessage error={error} />
      <div class="row">
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Saving…' : category ? 'Save category' : 'Create category'}
        </button>
        {onCancel && (
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}

/** Categories (issue 17): the list, a new one, and each one renamed or given another slug. */
export function AdminCategories() {
  const list = useLoad(() => unwrap(shop.GET('/api/v1/categories')), [])
  const [editing, setEditing] = useState<string | undefined>()
  const [done, setDone] = useState('')

  return (
    <section aria-labelledby="admin-categories">
      <h2 id="admin-categories">Categories</h2>
      {done && <Notice>{done}</Notice>}
      <CategoryForm
        onSave={async (body) => {
          const created = await unwrap(shop.POST('/api/v1/categories', { body }))
          setDone(`Created ${created.name}.`)
          list.reload()
        }}
      />
      <LoadState state={list} />
      <ul class="admin-list" aria-label="Categories">
        {list.data?.items.map((category) => (
          <li key={category.id}>
            <div class="admin-row">
              <span>
                <strong>{category.name}</strong> <span class="muted">{category.slug}</span>
              </span>
              <span class="actions">
                <button
                  type="button"
                  aria-expanded={editing === category.id}
                  onClick={() => setEditing(editing === category.id ? undefined : category.id)}
                >
                  Edit<span class="visually-hidden"> {category.name}</span>
                </button>
              </span>
            </div>
            {editing === category.id && (
              <CategoryForm
                category={category}
                onCancel={() => setEditing(undefined)}
                onSave={async (body) => {
                  const saved = await unwrap(
                    shop.PATCH('/api/v1/categories/{id}', {
                      params: { path: { id: category.id } },
                      body,
                    }),
                  )
                  setEditing(undefined)
                  setDone(`Saved ${saved.name}.`)
                  list.reload()
                }}
              />
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}
