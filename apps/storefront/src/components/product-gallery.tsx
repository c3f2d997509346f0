import type { Product, ProductMedia } from '@emporium/sdk'
import { useRef, useState } from 'preact/hooks'
import './product-gallery.css'

/** `srcset` of a picture: each of its sizes with its width. */
const srcSet = (media: ProductMedia) => media.sizes.map((s) => `${s.url} ${s.width}w`).join(', ')

/** How a picture is named to someone who cannot see it: its alt text, else its place. */
const nameOf = (media: ProductMedia, index: number, product: Product) =>
  media.alt || `Picture ${index + 1} of ${product.name}`

/**
 * A product's pictures: the one chosen, large, with the others as thumbnails in gallery order
 * below it; the chosen one opens enlarged in a modal dialog (Escape, the Close button or a click
 * outside the picture closes it, and focus returns to where it was). A product without pictures
 * shows its image as before.
 */
export function ProductGallery({ product }: { product: Product }) {
  const media = product.media ?? []
  const [chosen, setChosen] = useState(0)
  const zoom = useRef<HTMLDialogElement>(null)
  if (media.length === 0) {
    return (
      <img
        class="picture"
        src={product.imageUrl}
        alt={`Picture of ${product.name}`}
        width={480}
        height={480}
      />
    )
  }
  const index = Math.min(chosen, media.length - 1)
  const shown = media[index]!
  const name = nameOf(shown, index, product)
  const largest = shown.sizes[shown.sizes.length - 1]!
  return (
    <div class="gallery">
      <button
        type="button"
        class="gallery-shown"
        aria-haspopup="dialog"
        onClick={() => zoom.current?.showModal()}
      >
        <img
          src={shown.url}
          srcSet={srcSet(shown)}
          sizes="(max-width: 40rem) 100vw, 50vw"
          alt={name}
          width={shown.width}
          height={shown.height}
        />
        <span class="gallery-hint">Enlarge</span>
      </button>
      {media.length > 1 && (
        <ul class="gallery-thumbs" aria-label={`Pictures of ${product.name}`}>
          {media.map((item, i) => (
            <li key={item.id}>
              <button
                type="button"
                aria-pressed={i === index}
                aria-label={`Show ${nameOf(item, i, product)}`}
                onClick={() => setChosen(i)}
              >
                <img
                  src={item.sizes[0]!.url}
                  alt=""
                  width={item.sizes[0]!.width}
                  height={item.sizes[0]!.height}
                />
              </button>
            </li>
          ))}
        </ul>
      )}
      <dialog
        ref={zoom}
        class="gallery-zoom"
        aria-label={`${name}, enlarged`}
        onClick={(event) => {
          // A click on the backdrop (the dialog itself, outside its content) closes it.
          if (event.target === event.currentTarget) event.currentTarget.close()
        }}
      >
        <img src={largest.url} alt={name} width={largest.width} height={largest.height} />
        <form method="dialog">
          <button type="submit" autofocus>
            Close
          </button>
        </form>
      </dialog>
    </div>
  )
}
