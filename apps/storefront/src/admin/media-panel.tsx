import type { Product, ProductMedia } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { ErrorMessage, LoadState, Notice, useLoad } from '../components/ui'
import './media-panel.css'

/** Uploads a picture as it is: the file's bytes are the body, its type the content-type. */
function upload(productId: string, file: File, alt: string) {
  return unwrap(
    shop.POST('/api/v1/products/{id}/media', {
      params: { path: { id: productId }, query: alt ? { alt } : {} },
      // The generated type says string (format binary); a File is what fetch sends as bytes.
      body: file as unknown as string,
      bodySerializer: (body: unknown) => body as BodyInit,
      headers: { 'content-type': file.type || 'application/octet-stream' },
    }),
  )
}

/**
 * A product's pictures (issue 17): upload (JPEG, PNG or WebP, up to 5 MB), alt text, order and
 * deletion. The first picture is the product's image in the shop.
 */
export function MediaPanel({ product, onChanged }: { product: Product; onChanged: () => void }) {
  const params = { path: { id: product.id } }
  const gallery = useLoad(
    (signal) => unwrap(shop.GET('/api/v1/products/{id}/media', { params, signal })),
    [product.id],
  )
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const [done, setDone] = useState('')
  const items = gallery.data?.items ?? []

  /** Runs a change; the gallery it answers is shown at once, else the gallery is read again. */
  async function run(what: () => Promise<unknown>, message: string) {
    setBusy(true)
    setError(undefined)
    setDone('')
    try {
      const answer = await what()
      if (answer && typeof answer === 'object' && 'items' in answer) {
        gallery.setData(answer as { items: ProductMedia[] })
      } else {
        gallery.reload()
      }
      setDone(message)
      onChanged()
    } catch (failure) {
      setError(failure)
    } finally {
      setBusy(false)
    }
  }

  function submitUpload(event: SubmitEvent) {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const file = data.get('file')
    if (!(file instanceof File) || file.size === 0) {
      setError(new Error('Choose a picture to upload.'))
      return
    }
    const alt = data.get('alt')?.toString().trim() ?? ''
    void run(async () => {
      await upload(product.id, file, alt)
      form.reset()
    }, `Uploaded ${file.name}.`)
  }

  function move(index: number, by: -1 | 1) {
    const ids = items.map((m) => m.id)
    const [id] = ids.splice(index, 1)
    ids.splice(index + by, 0, id!)
    void run(
      () => unwrap(shop.PUT('/api/v1/products/{id}/media/order', { params, body: { ids } })),
      'Order saved.',
    )
  }

  const prefix = `media-${product.id}`
  return (
    <div class="panel stack">
      <h3>Pictures of {product.name}</h3>
      <LoadState state={gallery} />
      {gallery.data && items.length === 0 && (
        <p class="muted">No pictures yet: the shop shows a generated one.</p>
      )}
      <ol class="media-list">
        {items.map((media, i) => (
          <MediaRow
            key={media.id}
            media={media}
            index={i}
            count={items.length}
            busy={busy}
            onMove={(by) => move(i, by)}
            onAlt={(alt) =>
              run(
                () =>
                  unwrap(
                    shop.PATCH('/api/v1/products/{id}/media/{mediaId}', {
                      params: { path: { id: product.id, mediaId: media.id } },
                      body: { alt },
                    }),
                  ),
                'Alt text saved.',
              )
            }
            onDelete={() =>
              run(
                () =>
                  unwrap(
                    shop.DELETE('/api/v1/products/{id}/media/{mediaId}', {
                      params: { path: { id: product.id, mediaId: media.id } },
                    }),
                  ),
                'Picture deleted.',
              )
            }
          />
        ))}
      </ol>
      <form class="row" onSubmit={submitUpload}>
        <div class="field">
          <label for={`${prefix}-file`}>Picture (JPEG, PNG or WebP, up to 5 MB)</label>
          <input
            id={`${prefix}-file`}
            name="file"
            type="file"
            accept="image/jpeg,image/png,image/webp"
            required
          />
        </div>
        <div class="field">
          <label for={`${prefix}-alt`}>Alt text</label>
          <input id={`${prefix}-alt`} name="alt" maxLength={300} />
        </div>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Working…' : 'Upload'}
        </button>
      </form>
      <ErrorMessage error={error} />
      {done && <Notice>{done}</Notice>}
    </div>
  )
}

function MediaRow(props: {
  media: ProductMedia
  index: number
  count: number
  busy: boolean
  onMove: (by: -1 | 1) => void
  onAlt: (alt: string) => Promise<void>
  onDelete: () => Promise<void>
}) {
  const { media, index, count, busy } = props
  const [alt, setAlt] = useState(media.alt)
  const id = `alt-${media.id}`
  const thumb = media.sizes[0]!
  const label = media.alt || `picture ${index + 1}`
  return (
    <li class="media-row">
      <img src={thumb.url} alt="" width={thumb.width} height={thumb.height} />
      <form
        class="row"
        onSubmit={(event) => {
          event.preventDefault()
          void props.onAlt(alt.trim())
        }}
      >
        <div class="field">
          <label for={id}>Alt text of picture {index + 1}</label>
          <input
            id={id}
            value={alt}
            maxLength={300}
            onInput={(e) => setAlt(e.currentTarget.value)}
          />
        </div>
        <button type="submit" disabled={busy}>
          Save alt text
        </button>
      </form>
      <span class="actions">
        <button type="button" disabled={busy || index === 0} onClick={() => props.onMove(-1)}>
          Move up<span class="visually-hidden"> {label}</span>
        </button>
        <button
          type="button"
          disabled={busy || index === count - 1}
          onClick={() => props.onMove(1)}
        >
          Move down<span class="visually-hidden"> {label}</span>
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void props.onDelete()}>
          Delete<span class="visually-hidden"> {label}</span>
        </button>
      </span>
    </li>
  )
}
