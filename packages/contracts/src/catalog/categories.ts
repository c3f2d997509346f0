import Type from 'typebox'
import { Id as IdOf, Text } from '../text.js'

/*
 * Categories as the back office keeps them (issue 17): `POST /categories` and
 * `PATCH /categories/{id}`, admins only. A slug is what listings filter by (`?category=`), so it
 * is unique, and unlike any category's id (the filter takes either).
 */

/** A category's slug: lower-case letters and digits in words joined by single hyphens. */
export const categorySlugPattern = '^[a-z0-9]+(?:-[a-z0-9]+)*$'

const CategoryName = Text({ minLength: 1, maxLength: 100, description: 'Display name.' })
const CategorySlug = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: categorySlugPattern,
  description: 'URL-safe name, unique: lower-case letters and digits, words joined by "-".',
})

/** Body of `POST /categories` (admin). */
export const CreateCategoryBody = Type.Object(
  {
    /** Display name. */
    name: CategoryName,
    /** URL-safe name, unique (409 when taken). */
    slug: CategorySlug,
  },
  { additionalProperties: false },
)
export type CreateCategoryBody = Type.Static<typeof CreateCategoryBody>

/** Body of `PATCH /categories/{id}` (admin): the fields to change. */
export const UpdateCategoryBody = Type.Object(
  {
    /** New display name. */
    name: Type.Optional(CategoryName),
    /** New slug, unique (409 when taken); `?category=` by the old one then finds nothing. */
    slug: Type.Optional(CategorySlug),
  },
  { additionalProperties: false, minProperties: 1 },
)
export type UpdateCategoryBody = Type.Static<typeof UpdateCategoryBody>

/** Path parameters of `/categories/{id}`. */
export const CategoryParams = Type.Object({ id: IdOf() })
export type CategoryParams = Type.Static<typeof CategoryParams>
