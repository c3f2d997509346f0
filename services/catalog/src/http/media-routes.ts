import Type from 'typebox'
import { catalog, Problem } from '@emporium/contracts'
import { bearerAuth, type HttpRoutes, type JwtVerifier } from '@emporium/platform'
import type { Viewer } from '../app/get-product.js'
import type { MediaFile } from '../app/ports.js'
import type { Upload } from '../app/upload-media.js'
import { imageFormats, matchesEtag } from '../domain/media.js'
import type { Actor } from '../domain/audit-trail.js'
import { actorOf } from './actor.js'
import { viewerOf } from './viewer.js'

/** The media use cases the routes call, wired by service.ts. */
export interface MediaRoutesDeps {
  verifier: JwtVerifier
  /** Largest upload in bytes: more is a 413 before the body is read (declared) or past it. */
  maxUploadBytes: number
  /** A draft's gallery: admins only (issue 17), the 404 of an unknown product for others. */
  listMedia(productId: string, viewer: Viewer): Promise<catalog.ProductMediaList>
  uploadMedia(upload: Upload, actor?: Actor): Promise<catalog.ProductMedia>
  updateMedia(
    productId: string,
    mediaId: string,
    body: catalog.UpdateMediaBody,
    actor?: Actor,
  ): Promise<catalog.ProductMedia>
  reorderMedia(
    productId: string,
    ids: readonly string[],
    actor?: Actor,
  ): Promise<catalog.ProductMediaList>
  deleteMedia(productId: string, mediaId: string, actor?: Actor): Promise<void>
  getMediaFile(mediaId: string, width: number): Promise<MediaFile>
}

const tags = ['catalog']

/** A year: an address of a picture's size always serves the same bytes. */
const immutable = 'public, max-age=31536000, immutable'

/** The upload's body as documented: the bytes of a picture, under each type it may carry. */
const pictureBody = {
  content: Object.fromEntries(
    imageFormats.map((format) => [`image/${format}`, { schema: catalog.UploadMediaBody }]),
  ),
}

/**
 * Product media (issue 17): a product's gallery under `/products/{id}/media` (read by anyone,
 * changed by admins) and the pictures' files under `/media/{mediaId}/{width}.webp` (public,
 * cached for a year). The upload is the picture's bytes as the body, with any `image/*` content
 * type (or `application/octet-stream`): the bytes decide the format, not the label.
 */
export function mediaRoutes(deps: MediaRoutesDeps): HttpRoutes {
  return async (app) => {
    app.addHook('onRoute', bearerAuth(deps.verifier).enforcePermissions)
    const viewer = viewerOf(deps.verifier)

    // This plugin's routes alone take raw bytes; every other body stays JSON.
    for (const type of [/^image\/[\w.+-]+$/i, 'application/octet-stream']) {
      app.addContentTypeParser(
        type,
        { parseAs: 'buffer', bodyLimit: deps.maxUploadBytes },
        (_request, body, done) => done(null, body),
      )
    }

    app.get(
      '/products/:id/media',
      {
        schema: {
          tags,
          summary: "A product's pictures in gallery order",
          params: catalog.ProductParams,
          response: { 200: catalog.ProductMediaList, 404: Problem },
        },
      },
      async (request) => deps.listMedia(request.params.id, await viewer(request)),
    )

    app.post(
      '/products/:id/media',
      {
        // Checked before the body is read (enforcePermissions: onRequest): a caller who may not
        // upload never gets to send 5 MB.
        config: { permission: 'catalog.write' },
        bodyLimit: deps.maxUploadBytes,
        schema: {
          tags,
          summary: "Upload a picture to the end of a product's gallery (staff: catalog.write)",
          description:
            'The body is the picture itself (JPEG, PNG or WebP; its bytes decide, not its ' +
            'content-type), at most CATALOG_MEDIA_MAX_BYTES (5 MiB by default). It is resized to ' +
            '320, 640 and 1280 pixels wide as WebP, never enlarged. The first picture of a ' +
            "gallery becomes the product's imageUrl.",
          params: catalog.ProductParams,
          querystring: catalog.UploadMediaQuery,
          body: pictureBody,
          response: {
            201: catalog.ProductMedia,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            409: Problem,
            413: Problem,
            415: Problem,
            422: Problem,
          },
        },
      },
      async (request, reply) => {
        const media = await deps.uploadMedia(
          {
            productId: request.params.id,
            // JSON, the only other body parsed here, is no picture: the use case refuses it (415).
            bytes: Buffer.isBuffer(request.body) ? request.body : new Uint8Array(0),
            alt: request.query.alt,
          },
          actorOf(request),
        )
        return reply
          .code(201)
          .header('location', `/api/v1/products/${request.params.id}/media/${media.id}`)
          .send(media)
      },
    )

    app.put(
      '/products/:id/media/order',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: "Put a product's pictures in a new order (staff: catalog.write)",
          description: "The first becomes the product's imageUrl.",
          params: catalog.ProductParams,
          body: catalog.MediaOrderBody,
          response: {
            200: catalog.ProductMediaList,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
            422: Problem,
          },
        },
      },
      async (request) => deps.reorderMedia(request.params.id, request.body.ids, actorOf(request)),
    )

    app.patch(
      '/products/:id/media/:mediaId',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: "Change a picture's alt text (staff: catalog.write)",
          params: catalog.ProductMediaParams,
          body: catalog.UpdateMediaBody,
          response: {
            200: catalog.ProductMedia,
            400: Problem,
            401: Problem,
            403: Problem,
            404: Problem,
          },
        },
      },
      async (request) =>
        deps.updateMedia(request.params.id, request.params.mediaId, request.body, actorOf(request)),
    )

    app.delete(
      '/products/:id/media/:mediaId',
      {
        config: { permission: 'catalog.write' },
        schema: {
          tags,
          summary: "Remove a picture from a product's gallery (staff: catalog.write)",
          params: catalog.ProductMediaParams,
          response: {
            204: Type.Null({ description: 'Deleted.' }),
            401: Problem,
            403: Problem,
            404: Problem,
          },
        },
      },
      async (request, reply) => {
        await deps.deleteMedia(request.params.id, request.params.mediaId, actorOf(request))
        return reply.code(204).send(null)
      },
    )

    app.get(
      '/media/:mediaId/:width.webp',
      {
        schema: {
          tags,
          summary: 'One size of a picture (WebP)',
          description:
            'Cached for a year as immutable (a picture never changes), with a strong ETag: ' +
            'If-None-Match answers 304.',
          params: catalog.MediaFileParams,
          response: {
            200: Type.Unsafe<Uint8Array>({
              description: 'The picture, as WebP.',
              content: { 'image/webp': { schema: { type: 'string', format: 'binary' } } },
            }),
            304: Type.Null({ description: 'Not modified: the copy the client holds is current.' }),
            404: Problem,
          },
        },
      },
      async (request, reply) => {
        const file = await deps.getMediaFile(request.params.mediaId, request.params.width)
        const etag = `"${file.etag}"`
        reply.header('etag', etag).header('cache-control', immutable)
        if (matchesEtag(request.headers['if-none-match'], etag)) {
          // No body at all, not even the JSON `null` the schema's type would serialize.
          return reply.code(304).send(undefined as unknown as null)
        }
        return reply
          .header('content-type', file.contentType)
          .header('x-content-type-options', 'nosniff')
          .send(Buffer.from(file.bytes.buffer, file.bytes.byteOffset, file.bytes.byteLength))
      },
    )
  }
}
