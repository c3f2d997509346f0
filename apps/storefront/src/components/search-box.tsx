import type { Suggestion } from '@emporium/sdk'
import { useEffect, useRef, useState } from 'preact/hooks'
import { shop, unwrap } from '../api/client'
import { formatMoney } from '../lib/format'
import { navigate } from '../lib/router'
import './search-box.css'

/** How long typing pauses before suggestions are asked for. */
const debounceMs = 150

/**
 * A search field that suggests products as the shopper types (issue 17): an ARIA combobox
 * whose listbox holds the products the words typed so far start (typos too, where the shop has
 * them). Up and Down move through the suggestions, Enter opens the one chosen or, with none,
 * submits the field's form (the search); Escape closes the list; a click opens the product.
 */
export function SearchBox(props: {
  id: string
  name: string
  value: string
  onValue(value: string): void
}) {
  const { id, value } = props
  const [items, setItems] = useState<Suggestion[]>([])
  const [open, setOpen] = useState(false)
  // The suggestion chosen with the arrows, by id: an answer that comes late (to an earlier
  // keystroke, on a busy machine) keeps it chosen where it still is; typing lets it go.
  const [activeId, setActiveId] = useState<string | undefined>(undefined)
  const active = items.findIndex((item) => item.id === activeId)
  // Suggestions follow what is typed, not what the field was given (a back navigation).
  const typed = useRef(false)
  const listId = `${id}-suggestions`

  useEffect(() => {
    const q = value.trim()
    if (!typed.current || !q || q.length > 100) {
      setItems([])
      return
    }
    const controller = new AbortController()
    const timer = setTimeout(() => {
      unwrap(
        shop.GET('/api/v1/products/suggestions', {
          params: { query: { q, limit: 8 } },
          signal: controller.signal,
        }),
      ).then(
        (list) => {
          if (controller.signal.aborted) return
          setItems(list.items)
          setOpen(true)
        },
        // Suggestions are a help: without them the field is still a search.
        () => {
          if (!controller.signal.aborted) setItems([])
        },
      )
    }, debounceMs)
    return () => {
      clearTimeout(timer)
      controller.abort()
    }
  }, [value])

  const shown = open && items.length > 0
  const openProduct = (item: Suggestion) => {
    setOpen(false)
    navigate(`/products/${encodeURIComponent(item.id)}`)
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      if (items.length === 0) return
      event.preventDefault()
      setOpen(true)
      const step = event.key === 'ArrowDown' ? 1 : -1
      // From the field (-1) Down goes to the first, Up to the last; past an end, back to the field.
      const next =
        active === -1 && step === -1
          ? items.length - 1
          : active + step >= items.length || active + step < 0
            ? -1
            : active + step
      setActiveId(items[next]?.id)
    } else if (event.key === 'Enter' && shown && active >= 0) {
      event.preventDefault()
      openProduct(items[active]!)
    } else if (event.key === 'Escape' && shown) {
      event.preventDefault()
      setOpen(false)
      setActiveId(undefined)
    } else if (event.key === 'Enter') {
      // The form's own submit searches; the list has nothing more to say.
      setOpen(false)
    }
  }

  return (
    <div class="search-box">
      <input
        id={id}
        name={props.name}
        type="search"
        role="combobox"
        autoComplete="off"
        aria-autocomplete="list"
        aria-expanded={shown}
        aria-controls={listId}
        aria-activedescendant={shown && active >= 0 ? `${listId}-${active}` : undefined}
        value={value}
        onInput={(event) => {
          typed.current = true
          setActiveId(undefined)
          props.onValue(event.currentTarget.value)
        }}
        onKeyDown={onKeyDown}
        onFocus={() => setOpen(true)}
        onBlur={() => setOpen(false)}
      />
      <ul id={listId} role="listbox" aria-label="Suggestions" hidden={!shown}>
        {items.map((item, index) => (
          <li
            key={item.id}
            id={`${listId}-${index}`}
            role="option"
            aria-selected={index === active}
            // Before the field's blur closes the list.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => openProduct(item)}
          >
            <span class="search-box-name">{item.name}</span>
            <span class="search-box-meta">
              {item.category.name} · {formatMoney(item.price)}
            </span>
          </li>
        ))}
      </ul>
    </div>
  )
}
