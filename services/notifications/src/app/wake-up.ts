/**
 * A level-triggered wake-up: `set()` before `wait()` is not lost (the next wait returns at once),
 * which is what makes "read, then wait" free of missed changes.
 */
export function createWakeUp() {
  let flagged = false
  let resolve: (() => void) | undefined
  return {
    set(): void {
      flagged = true
      resolve?.()
    },
    /** Resolves when set (now or later), after `timeoutMs`, or when `signal` aborts. */
    wait(timeoutMs: number, signal: AbortSignal): Promise<void> {
      if (flagged || signal.aborted) {
        flagged = false
        return Promise.resolve()
      }
      return new Promise<void>((done) => {
        const finish = () => {
          clearTimeout(timer)
          signal.removeEventListener('abort', finish)
          resolve = undefined
          flagged = false
          done()
        }
        const timer = setTimeout(finish, Math.min(timeoutMs, 2 ** 31 - 1))
        signal.addEventListener('abort', finish, { once: true })
        resolve = finish
      })
    },
  }
}
