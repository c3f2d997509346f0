import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'

/** What is kept of a shopper between runs: enough to sign in again without registering. */
export interface StoredShopper {
  email: string
  password: string
  /** The latest refresh token (they rotate): signs in without spending a login attempt. */
  refreshToken?: string
}

interface StateFile {
  version: 1
  /** Per API base URL: each platform has its own accounts. */
  targets: Record<string, StoredShopper[]>
}

async function readState(path: string): Promise<StateFile> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<StateFile>
    if (parsed.version === 1 && parsed.targets && typeof parsed.targets === 'object')
      return { version: 1, targets: parsed.targets }
  } catch {
    // missing or unreadable: start afresh
  }
  return { version: 1, targets: {} }
}

export async function loadShoppers(path: string, target: string): Promise<StoredShopper[]> {
  const state = await readState(path)
  return (state.targets[target] ?? []).filter(
    (s) => typeof s?.email === 'string' && typeof s.password === 'string',
  )
}

/** Replaces this target's shoppers (written atomically, readable by its owner only). */
export async function saveShoppers(
  path: string,
  target: string,
  shoppers: StoredShopper[],
): Promise<void> {
  const state = await readState(path)
  state.targets[target] = shoppers
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  await chmod(temporary, 0o600)
  await rename(temporary, path)
}
