import type { SavedAddress } from '../api/account'

/**
 * The book with `saved` added or replaced, as the API lists it: the default first and the only
 * one, the others in their places, a new one last.
 */
export function withSaved(list: SavedAddress[], saved: SavedAddress): SavedAddress[] {
  const others = list.filter((a) => a.id !== saved.id)
  if (saved.isDefault) return [saved, ...others.map((a) => ({ ...a, isDefault: false }))]
  return others.length === list.length
    ? [...list, saved]
    : list.map((a) => (a.id === saved.id ? saved : a))
}
