import type { ColumnType } from 'kysely'
import type { PlatformTables } from '@emporium/platform'

/** Rows as the migrations make them (migrations/001-create-webhooks.ts). */
export interface WebhooksTables extends PlatformTables {
  webhook_endpoints: {
    id: string
    url: string
    /** `string[]` as JSON (written as text, read parsed or as text by the driver). */
    event_types: ColumnType<unknown, string, string>
    description: string | null
    status: 'enabled' | 'disabled'
    disabled_reason: string | null
    created_by: string
    secret: string
    previous_secret: string | null
    previous_secret_expires_at: Date | null
    secret_rotated_at: Date | null
    consecutive_failures: ColumnType<number, number | undefined, number>
    failing_since: Date | null
    breaker_open_until: Date | null
    created_at: ColumnType<Date, Date, never>
    updated_at: Date
  }
  webhook_deliveries: {
    id: string
    endpoint_id: string
    event_id: string
    type: string
    body: string
    status: 'pending' | 'delivered' | 'failed'
    attempts: ColumnType<number, number | undefined, number>
    series: ColumnType<number, number | undefined, number>
    next_attempt_at: Date
    lease_owner: string | null
    lease_until: Date | null
    last_response_status: number | null
    last_error: string | null
    created_at: ColumnType<Date, Date, never>
    updated_at: Date
  }
  webhook_attempts: {
    id: string
    delivery_id: string
    series: number
    started_at: Date
    duration_ms: number
    response_status: number | null
    error: string | null
    response_body: string | null
  }
}

/** JSON a jsonb column returns: parsed by the driver, or text. */
export function fromJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T
}
