import { EmporiumProblem } from '@emporium/sdk'
import { useEffect, useState } from 'preact/hooks'
import { quoteOrder, type Destination, type Quote } from '../api/checkout'

/** Whether a problem is a promotion code's refusal (`ORDERS.PROMOTION_*`). */
export const isPromotionRefusal = (error: unknown) =>
  error instanceof EmporiumProblem && /^ORDERS\.PROMOTION_/.test(error.code ?? '')

const isMethodRefusal = (error: unknown) =>
  error instanceof EmporiumProblem && error.code === 'ORDERS.SHIPPING_METHOD_UNAVAILABLE'

export interface QuoteInput {
  destination: Destination | undefined
  shippingMethodId: string | undefined
  promotionCode: string | undefined
  /** Changes whenever the cart does (its `updatedAt`): the quote is the cart's. */
  cartStamp: string
}

export interface QuoteState {
  /** The latest quote answered for the input as it is now (undefined: none yet, or none). */
  quote: Quote | undefined
  /** A quote is on its way. */
  quoting: boolean
  /** The quote could not be had (the summary then says shipping and tax come later). */
  error: unknown
}

/**
 * The checkout's live quote (`POST /orders/quote`) for the destination, method and code chosen:
 * asked again whenever one of them or the cart changes, an answer to an older input ignored.
 * A refused method (no longer offered where the order goes) is dropped and the cheapest quoted
 * instead; a refused promotion code is handed to `onPromotionRefused` to say why and drop it.
 */
export function useQuote(
  input: QuoteInput,
  handlers: { onMethodRefused: () => void; onPromotionRefused: (error: unknown) => void },
): QuoteState {
  const [state, setState] = useState<QuoteState>({
    quote: undefined,
    quoting: false,
    error: undefined,
  })
  const key = JSON.stringify(input)
  useEffect(() => {
    if (!input.destination) {
      setState({ quote: undefined, quoting: false, error: undefined })
      return
    }
    const controller = new AbortController()
    setState((previous) => ({ ...previous, quoting: true }))
    quoteOrder(
      {
        destination: input.destination,
        ...(input.shippingMethodId ? { shippingMethodId: input.shippingMethodId } : {}),
        ...(input.promotionCode ? { promotionCode: input.promotionCode } : {}),
      },
      controller.signal,
    ).then(
      (quote) => {
        if (!controller.signal.aborted) setState({ quote, quoting: false, error: undefined })
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return
        setState((previous) => ({ ...previous, quoting: false, error: undefined }))
        if (isMethodRefusal(failure) && input.shippingMethodId) handlers.onMethodRefused()
        else if (isPromotionRefusal(failure) && input.promotionCode) {
          handlers.onPromotionRefused(failure)
        } else setState({ quote: undefined, quoting: false, error: failure })
      },
    )
    return () => controller.abort()
  }, [key])
  return state
}
