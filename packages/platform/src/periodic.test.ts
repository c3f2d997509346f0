import { describe, expect, it } from 'vitest'
import { createLogger } from './log.js'
import { startPeriodic } from './periodic.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('startPeriodic', () => {
  it('never overlaps runs, survives failures, and stop waits for the run in flight', async () => {
    const log = createLogger({ level: 'silent' })
    let running = 0
    let most = 0
    let runs = 0
    let finished = 0
    const job = startPeriodic({
      everyMs: 5,
      log,
      what: 'test job',
      run: async () => {
        runs++
        running++
        most = Math.max(most, running)
        await sleep(30)
        running--
        finished++
        if (runs % 2 === 0) throw new Error('every other run fails')
      },
    })
    await sleep(200)
    await job.stop()
    expect(runs).toBeGreaterThanOrEqual(3)
    expect(most).toBe(1)
    expect(finished).toBe(runs)
    const after = runs
    await sleep(50)
    expect(runs).toBe(after)
  })
})
