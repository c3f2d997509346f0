import type { PlaceOrderBody } from '@emporium/sdk'

/** A card as an order (or a new payment attempt) carries it. */
export type CardInput = PlaceOrderBody['payment']

const testCards: [string, string][] = [
  ['4242 4242 4242 4242', 'approved'],
  ['4000 0000 0000 0002', 'declined'],
  ['4000 0000 0000 9995', 'insufficient funds'],
  ['4000 0000 0000 0119', 'fails twice, then approved'],
  ['4000 0000 0000 0259', 'approved after 5 s'],
]

/**
 * A card's fields (uncontrolled: a form reads them with `readCard`), with the test cards as
 * their hint. `prefix` makes their ids unique on the page. Never kept anywhere: not in a
 * draft, not in storage; the form sends them and forgets them.
 */
export function CardFields({ prefix, legend = 'Card' }: { prefix: string; legend?: string }) {
  const year = new Date().getFullYear()
  const hint = `${prefix}-card-hint`
  return (
    <fieldset>
      <legend>{legend}</legend>
      <Field
        prefix={prefix}
        id="cardNumber"
        label="Card number"
        autoComplete="cc-number"
        inputMode="numeric"
        pattern="[0-9 \-]{12,23}"
        describedBy={hint}
      />
      <div id={hint} class="hint">
        <p>This is a test shop: use a test card with any future expiry and any 3-digit CVC.</p>
        <ul>
          {testCards.map(([number, outcome]) => (
            <li key={number}>
              <code>{number}</code> — {outcome}
            </li>
          ))}
        </ul>
      </div>
      <div class="row">
        <Field
          prefix={prefix}
          id="expMonth"
          label="Expiry month"
          inputMode="numeric"
          pattern="(0?[1-9]|1[0-2])"
          autoComplete="cc-exp-month"
        />
        <Field
          prefix={prefix}
          id="expYear"
          label="Expiry year"
          inputMode="numeric"
          pattern="20[0-9]{2}"
          value={String(year + 2)}
          autoComplete="cc-exp-year"
        />
        <Field
          prefix={prefix}
          id="cvc"
          label="CVC"
          inputMode="numeric"
          pattern="[0-9]{3,4}"
          autoComplete="cc-csc"
        />
      </div>
    </fieldset>
  )
}

/** The card a form's `CardFields` hold, as the API takes it. */
export function readCard(form: FormData): CardInput {
  const text = (name: string) => form.get(name)?.toString().trim() ?? ''
  return {
    cardNumber: text('cardNumber').replace(/[\s-]/g, ''),
    expMonth: Number(text('expMonth')),
    expYear: Number(text('expYear')),
    cvc: text('cvc'),
  }
}

interface FieldProps {
  prefix: string
  id: string
  label: string
  value?: string
  pattern?: string
  inputMode?: 'numeric' | 'text'
  autoComplete?: string
  describedBy?: string
}

function Field({
  prefix,
  id,
  label,
  value,
  pattern,
  inputMode,
  autoComplete,
  describedBy,
}: FieldProps) {
  return (
    <div class="field">
      <label for={`${prefix}-${id}`}>{label}</label>
      <input
        id={`${prefix}-${id}`}
        name={id}
        required
        defaultValue={value}
        pattern={pattern}
        inputMode={inputMode}
        autoComplete={autoComplete}
        aria-describedby={describedBy}
      />
    </div>
  )
}
