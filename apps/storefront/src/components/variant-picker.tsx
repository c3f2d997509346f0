import type { Product, Variant } from '@emporium/sdk'
import { useState } from 'preact/hooks'
import './variant-picker.css'

/** A choice of one value per option: `{Size: 'M', Colour: 'Blue'}`. */
export type Choice = Record<string, string>

/** The variant of `product` whose option values are exactly `chosen`, if it has one. */
export function variantOf(product: Product, chosen: Choice): Variant | undefined {
  const names = Object.keys(chosen)
  return product.variants?.find(
    (v) =>
      Object.keys(v.options).length === names.length &&
      names.every((name) => v.options[name] === chosen[name]),
  )
}

/**
 * The shopper's choice of a product's variant: it opens on the first variant in stock (else the
 * first), and a value that makes no variant with the others chosen moves to the first variant
 * that has it (in stock if one is), so every value can be clicked.
 */
export function useVariantChoice(product: Product) {
  const variants = product.variants ?? []
  const first = (among: Variant[]) => among.find((v) => v.available > 0) ?? among[0]
  const [chosen, setChosen] = useState<Choice>(() => ({ ...first(variants)?.options }))
  function choose(name: string, value: string) {
    const next = { ...chosen, [name]: value }
    const fallback = first(variants.filter((v) => v.options[name] === value))
    setChosen(variantOf(product, next) || !fallback ? next : { ...fallback.options })
  }
  return { chosen, variant: variantOf(product, chosen), choose }
}

/** One group of radio buttons per option; a value whose variant is sold out says so. */
export function VariantPicker(props: {
  product: Product
  chosen: Choice
  onChoose: (name: string, value: string) => void
}) {
  const { product, chosen, onChoose } = props
  return (
    <div class="variant-picker">
      {(product.options ?? []).map((option) => (
        <fieldset key={option.name}>
          <legend>{option.name}</legend>
          {option.values.map((value) => {
            const candidate = variantOf(product, { ...chosen, [option.name]: value })
            const soldOut = candidate !== undefined && candidate.available === 0
            return (
              <label key={value} class={soldOut ? 'sold-out' : undefined}>
                <input
                  type="radio"
                  name={`option-${option.name}`}
                  value={value}
                  checked={chosen[option.name] === value}
                  onChange={() => onChoose(option.name, value)}
                />
                <span>{value}</span>
                {soldOut && <span class="visually-hidden"> (sold out)</span>}
              </label>
            )
          })}
        </fieldset>
      ))}
    </div>
  )
}
