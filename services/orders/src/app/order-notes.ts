import { randomUUID } from 'node:crypto'
import { audit, type orders } from '@emporium/contracts'
import { orderNotFound } from './manage-order.js'
import type { OrderNote, OrderStore } from './ports.js'

/** Staff adding a note: who they are (the audit event's actor). */
export interface NoteAuthor {
  userId: string
  roles: readonly string[]
}

function toNote(note: OrderNote): orders.OrderNote {
  return {
    id: note.id,
    text: note.text,
    author: { userId: note.authorId },
    createdAt: note.createdAt.toISOString(),
  }
}

/**
 * `POST /orders/{id}/notes` (orders.manage): an internal note on the order, never shown to the
 * shopper, audited (`order.note-added`) in the same transaction; 404 for an unknown order.
 */
export function createAddOrderNote(deps: { orders: OrderStore; now: () => Date }) {
  return (author: NoteAuthor, orderId: string, text: string): Promise<orders.OrderNote> =>
    deps.orders.transaction(async (tx) => {
      // Locked: a note and the order's other changes are audited in the order they happened.
      const order = await tx.lock(orderId)
      if (!order) throw orderNotFound(orderId)
      const note: OrderNote = {
        id: randomUUID(),
        orderId,
        authorId: author.userId,
        text,
        createdAt: deps.now(),
      }
      await tx.addNote(note)
      await tx.emit(
        audit.AuditRecorded,
        audit.auditRecorded(
          author,
          'order.note-added',
          { type: 'order', id: orderId },
          null,
          { noteId: note.id, text },
          note.createdAt,
        ),
      )
      return toNote(note)
    })
}

/** `GET /orders/{id}/notes` (orders.read): the order's notes, oldest first; 404 for no order. */
export function createListOrderNotes(deps: { orders: OrderStore }) {
  return async (orderId: string): Promise<orders.OrderNoteList> => {
    if (!(await deps.orders.find(orderId))) throw orderNotFound(orderId)
    return { items: (await deps.orders.notes(orderId)).map(toNote) }
  }
}
