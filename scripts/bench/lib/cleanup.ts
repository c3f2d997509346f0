// What a benchmark started, undone in reverse order: at the end of a benchmark, when it fails,
// and on Ctrl-C. Child processes run in their own process groups and are also SIGKILLed
// synchronously on exit, so an aborted run leaves nothing running.

type Undo = { label: string; run: () => Promise<void> | void }

const stack: Undo[] = []
const groups = new Set<number>()

export interface Cleanup {
  /** Runs the step now (once) and forgets it. */
  now(): Promise<void>
  /** Forgets the step: it was done otherwise. */
  forget(): void
}

/** Registers an undo step. */
export function onCleanup(label: string, run: () => Promise<void> | void): Cleanup {
  const undo: Undo = { label, run }
  stack.push(undo)
  const forget = () => {
    const at = stack.indexOf(undo)
    if (at >= 0) stack.splice(at, 1)
  }
  return {
    async now() {
      if (!stack.includes(undo)) return
      forget()
      await undo.run()
    },
    forget,
  }
}

/** Runs every pending undo step (last registered first); failures are reported, not thrown. */
export async function cleanupAll(): Promise<void> {
  while (stack.length > 0) {
    const undo = stack.pop()!
    try {
      await undo.run()
    } catch (error) {
      console.error(`bench: cleanup "${undo.label}" failed:`, (error as Error).message ?? error)
    }
  }
}

/** A process group to SIGKILL if this process exits with it still alive. */
export function trackGroup(pid: number): void {
  groups.add(pid)
}

export function untrackGroup(pid: number): void {
  groups.delete(pid)
}

let installed = false

/** Ctrl-C and SIGTERM clean up, then exit; a plain exit kills what is left. */
export function installSignalCleanup(): void {
  if (installed) return
  installed = true
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.error(`\nbench: ${signal}: cleaning up`)
    void cleanupAll().finally(() => process.exit(130))
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  // A failure outside a benchmark's own try (a top-level await) still drops what was created.
  process.on('uncaughtException', (error) => {
    console.error(error)
    if (stopping) return
    stopping = true
    void cleanupAll().finally(() => process.exit(1))
  })
  process.on('exit', () => {
    for (const pid of groups) {
      try {
        process.kill(-pid, 'SIGKILL')
      } catch {
        // gone already
      }
    }
  })
}
