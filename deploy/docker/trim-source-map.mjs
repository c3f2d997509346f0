// A bundle's source map without the mappings of the npm packages bundled into it.
import path from 'node:path'
import { decode, encode } from '@jridgewell/sourcemap-codec'

/** Whether a source of a bundle's map is the project's own (not an npm package's). */
export const isOwnSource = (source) => !/(^|\/)node_modules\//.test(source)

/**
 * `isOwnSource` for the map written at `mapFile`, whose sources are paths relative to it (after
 * `sourceRoot`): each is resolved and taken relative to `root`, the repository. A bundle written
 * inside a `node_modules` folder (the tests' cache, `node_modules/.cache/emporium/`) names a
 * package's file `../../../pino/lib/x.js`, without `node_modules/`: taken as it stands, every
 * package's mappings were kept there.
 */
export function ownSourceOf(mapFile, root, sourceRoot = '') {
  const base = path.resolve(path.dirname(mapFile), sourceRoot)
  return (source) => isOwnSource(path.relative(root, path.resolve(base, source)))
}

/**
 * Keeps the mappings (and sources) for which `keep(source)` holds and maps the rest to nothing.
 * Node's `--enable-source-maps` parses a script's whole map into memory the first time it maps a
 * stack (and pino asks for its caller's file when each logger is made, so at start): for a
 * service's bundle, nine tenths of whose mappings are its npm packages', that was ~60 MB of every
 * process's heap. Frames in our code still show the TypeScript file and line; a frame in a
 * package shows the bundle's own line (its function names are kept: the bundles are not minified).
 * A run of dropped mappings starts with a segment that maps to nothing, so that a position inside
 * it is not taken for the last kept mapping before it.
 */
export function trimSourceMap(map, keep = isOwnSource) {
  const index = new Map()
  const sources = []
  const contents = []
  map.sources.forEach((source, i) => {
    if (!keep(source)) return
    index.set(i, sources.length)
    sources.push(source)
    contents.push(map.sourcesContent?.[i] ?? null)
  })
  let dropping = false
  const lines = decode(map.mappings).map((segments) => {
    const out = []
    for (const segment of segments) {
      const source = segment.length > 1 ? index.get(segment[1]) : undefined
      if (source === undefined) {
        if (!dropping) out.push([segment[0]])
        dropping = true
        continue
      }
      const copy = [...segment]
      copy[1] = source
      out.push(copy)
      dropping = false
    }
    return out
  })
  const trimmed = { ...map, sources, mappings: encode(lines) }
  if (map.sourcesContent) trimmed.sourcesContent = contents
  // Lists of the dropped sources' indices (the packages, by their purpose): stale now, and moot.
  delete trimmed.ignoreList
  delete trimmed.x_google_ignoreList
  return trimmed
}
