import type { RefundRecord, RefundStatus, ReturnRecord } from '../domain/refund.js'

/** An order's refunds and returns, bound to the order's transaction (issue 19). */
export interface RefundRows {
  /** The order's refunds, oldest first. */
  refunds(orderId: string): Promise<RefundRecord[]>
  /** One refund, its row locked until commit. */
  lockRefund(refundId: string): Promise<RefundRecord | undefined>
  insertRefund(refund: RefundRecord): Promise<void>
  /** Moves a refund from `requested` to `status`; false when it was not `requested`. */
  settleRefund(
    refundId: string,
    status: Exclude<RefundStatus, 'requested'>,
    at: Date,
    failureReason?: string,
  ): Promise<boolean>
  /** The order's returns, oldest first. */
  returns(orderId: string): Promise<ReturnRecord[]>
  insertReturn(ret: ReturnRecord): Promise<void>
  /** Writes a return's status, lines, rejection and refund. */
  saveReturn(ret: ReturnRecord): Promise<void>
}

/** Returns still `requested` past their deadline, for the sweeper. */
export interface DueReturns {
  /**
   * One transaction each (the order's row locked first, as every writer of its returns does):
   * `decide` gets each due return and its order's transaction. Returns how many it changed.
   */
  forEachDue(
    now: Date,
    decide: (ret: ReturnRecord, tx: import('./ports.js').OrderTx) => Promise<boolean>,
  ): Promise<number>
}
