import { afterEach, describe, expect, it, vi } from 'vitest'
import { createLogger } from './log.js'
import { startPeriodic, type PeriodicJob } from './periodic.js'

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

  describe('with maxEveryMs', () => {
    afterEach(() => {
      vi.useRealTimers()
    })
    const log = createLogger({ level: 'silent' })

    /**
     * A job every 100 ms whose runs are recorded (times since start) and find `found(job)` things
     * to do (the job is there to wake it from inside a run).
     */
    function recorded(found: (job: PeriodicJob) => number, maxEveryMs = 1_600) {
      vi.useFakeTimers()
      const start = Date.now()
      const at: number[] = []
      const job: PeriodicJob = startPeriodic({
        everyMs: 100,
        maxEveryMs,
        log,
        what: 'test job',
        run: async () => {
          at.push(Date.now() - start)
          return found(job)
        },
      })
      return { job, at }
    }

    it('waits twice as long after each run that found nothing, up to maxEveryMs', async () => {
      const { job, at } = recorded(() => 0)
      await vi.advanceTimersByTimeAsync(10_000)
      await job.stop()
      // 100, then +200, +400, +800, +1600, +1600, …
      expect(at.slice(0, 7)).toEqual([100, 300, 700, 1_500, 3_100, 4_700, 6_300])
    })

    it('keeps to everyMs while runs find work', async () => {
      const { job, at } = recorded(() => 3)
      await vi.advanceTimersByTimeAsync(1_000)
      await job.stop()
      expect(at).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1_000])
    })

    it('runs at once when woken after a long idle wait, then every everyMs again', async () => {
      let work = 0
      const { job, at } = recorded(() => work)
      await vi.advanceTimersByTimeAsync(3_200) // runs at 100, 300, 700, 1500, 3100: next at 4700
      expect(at).toEqual([100, 300, 700, 1_500, 3_100])
      work = 1
      job.wake()
      await vi.advanceTimersByTimeAsync(0)
      expect(at.at(-1)).toBe(3_200)
      await vi.advanceTimersByTimeAsync(100)
      expect(at.at(-1)).toBe(3_300)
      await job.stop()
    })

    it('a wake during a run brings the next run everyMs after it, not after the idle wait', async () => {
      let wakeDuringRun = false
      const { job, at } = recorded((job) => {
        if (wakeDuringRun) job.wake()
        wakeDuringRun = false
        return 0
      }, 10_000)
      await vi.advanceTimersByTimeAsync(1_500) // 100, 300, 700, 1500
      expect(at).toEqual([100, 300, 700, 1_500])
      wakeDuringRun = true
      await vi.advanceTimersByTimeAsync(1_600) // the run at 3100 is woken: the next at 3200
      expect(at.slice(4)).toEqual([3_100])
      await vi.advanceTimersByTimeAsync(100)
      expect(at.slice(4)).toEqual([3_100, 3_200])
      await job.stop()
    })

    it('runs at once when woken before its first run', async () => {
      vi.useFakeTimers()
      let runs = 0
      const job = startPeriodic({
        everyMs: 600_000,
        maxEveryMs: 600_000,
        log,
        what: 'test job',
        run: async () => ++runs,
      })
      await vi.advanceTimersByTimeAsync(1_000)
      expect(runs).toBe(0)
      job.wake()
      await vi.advanceTimersByTimeAsync(0)
      expect(runs).toBe(1)
      // Woken again: everyMs after that run.
      job.wake()
      await vi.advanceTimersByTimeAsync(599_000)
      expect(runs).toBe(1)
      await vi.advanceTimersByTimeAsync(1_000)
      expect(runs).toBe(2)
      await job.stop()
    })
  })
})
