import type { Generated } from 'kysely'

export interface OrderStatusTable {
  order_id: string
  user_id: string
  status: string
  cancellation_reason: string | null
  rank: number
  updated_at: Date
  /** The `seq` of the change this row shows; null in rows written before it was kept. */
  seq: number | string | null
  /** The `seq` of the order's change before that one (null: none, or not kept). */
  previous_seq: number | string | null
}

export interface StatusChangesTable {
  seq: Generated<number | string>
  order_id: string
  status: string
  cancellation_reason: string | null
  at: Date
  event_id: string
}

export interface RecipientsTable {
  user_id: string
  email: string
  name: string
  registered_at: Date
}

export interface MessagesTable {
  id: string
  event_id: string
  template: string
  user_id: string
  order_id: string | null
  to_address: string
  subject: string
  body: string
  status: 'pending' | 'sent' | 'failed'
  attempts: Generated<number>
  next_attempt_at: Date
  last_error: string | null
  created_at: Date
  sent_at: Date | null
}

export interface StreamLeasesTable {
  id: string
  user_id: string
  /** Which of the user's slots (0 to the cap − 1); null only in a previous version's lease. */
  slot: number | null
  expires_at: Date
}

export interface OrderCopiesTable {
  order_id: string
  user_id: string
  email: string | null
  order_link: string | null
  /** JSON of the copied lines. */
  lines: string
  shipments_mailed: Generated<number>
  confirmed_at: Date
}

export interface NotificationTables {
  order_status: OrderStatusTable
  status_changes: StatusChangesTable
  recipients: RecipientsTable
  messages: MessagesTable
  stream_leases: StreamLeasesTable
  order_copies: OrderCopiesTable
}
