import { readdirSync } from 'node:fs'
import { findSourceMap } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

/**
 * Parses, now, the source maps of the loaded scripts in `folder` (by default the folder of the
 * platform's own code: in a bundle, that of every chunk of the service). Under
 * `--enable-source-maps` (the images' `NODE_OPTIONS`) Node parses a script's map the first time
 * a stack with a frame in it is read, synchronously: a stream destroyed with an error reads its
 * stack, so the first upstream request the gateway aborted during a burst parsed its largest
 * chunk's map in the middle of it (0.8 s without a turn of the event loop on a loaded machine, and
 * every deadline of the burst missed by as much). Called before the service listens, that cost
 * is paid at start. Returns how many maps were parsed (or were already); 0 when source maps
 * are off or no script of the folder has one (TypeScript under tsx: its maps are its own).
 */
export function warmSourceMaps(
  folder = dirname(fileURLToPath(import.meta.url)),
  enabled = process.sourceMapsEnabled,
): number {
  if (!enabled) return 0
  let warmed = 0
  let files: string[]
  try {
    files = readdirSync(folder)
  } catch {
    return 0
  }
  for (const file of files) {
    if (!/\.[cm]?js$/.test(file)) continue
    // Undefined for a script that was not loaded (its map is read as it loads) or has no map.
    if (findSourceMap(pathToFileURL(join(folder, file)).href) !== undefined) warmed++
  }
  return warmed
}
