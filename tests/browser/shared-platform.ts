import { afterEach, beforeAll, inject } from 'vitest'

// One embedded platform for the browser suites instead of one each (each took ~7 s of a core to
// start and ~500 MB while it ran): tests/browser/global-setup.ts starts it when the first suite
// asks, and stops it after the last. Two suites use it at once (the `browser` project's workers),
// in any order, so a suite that shares it reads only what it made itself: its own accounts (with
// addresses unique to the run), products, orders and mail. A suite that needs a shop no other
// suite touches starts its own with `startPlatform` and says why.

/**
 * The admin of each suite that has one, all of them in the platform's ADMIN_EMAILS: admin is
 * granted to an address of that list verified by its own account, so each suite signs in as its
 * own admin.
 */
export const adminEmails = {
  accessibility: 'admin@accessibility.example',
  backOfficeCatalogue: 'admin@back-office-catalogue.example',
  backOfficeCustomers: 'admin@back-office-customers.example',
  backOfficeOrders: 'admin@back-office-orders.example',
  checkout: 'admin@checkout.example',
  productGallery: 'admin@product-gallery.example',
  shopperBugs: 'admin@shopper-bugs.example',
  storefront: 'admin@browser.example',
} as const

/** What the global setup hands the suites (`inject('browserPlatform')`). */
export interface SharedPlatformInfo {
  /** The global setup's control server: `/ready` starts the platform, `/output` tells of it. */
  control: string
  /** The platform's origin (the storefront and `/api/v1`). */
  base: string
  /** The `file:` sender's mailbox, one JSON message a line, every suite's mail in it. */
  mailbox: string
}

/** What `/output` answers: how the platform ended (null: it runs) and what it printed. */
export interface PlatformOutput {
  exited: string | null
  output: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    browserPlatform: SharedPlatformInfo
  }
}

export interface SharedPlatform {
  base: string
  mailbox: string
  /** What the platform printed so far (every suite's doing), and whether it ended. */
  output(): Promise<PlatformOutput>
}

/**
 * The shared platform for this file: its address now (for the `describe` body), its start waited
 * for in a `beforeAll` registered here (register this before the file's own hooks). A test that
 * fails once the platform has ended prints the platform's output.
 */
export function useSharedPlatform(): SharedPlatform {
  const info = inject('browserPlatform') as SharedPlatformInfo | undefined
  if (!info) {
    throw new Error(
      'no shared platform: run the browser suites in the `browser` project of vitest.config.ts, ' +
        'whose global setup (tests/browser/global-setup.ts) starts it',
    )
  }
  const output = async (): Promise<PlatformOutput> =>
    (await (await fetch(`${info.control}/output`)).json()) as PlatformOutput

  // Generous: the first suite to ask waits for the platform's start, on a shared machine.
  beforeAll(async () => {
    for (;;) {
      const answer = await fetch(`${info.control}/ready`)
      if (answer.status === 200) return
      // The start failed or the platform ended: the answer says how, with its output.
      if (answer.status !== 202) throw new Error(await answer.text())
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
  }, 300_000)

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return
    const { exited, output: printed } = await output().catch(() => ({ exited: null, output: '' }))
    if (exited !== null) {
      console.error(
        `the shared platform ${exited}; its output (last 16 kB):\n${printed.slice(-16_384)}`,
      )
    }
  })

  return { base: info.base, mailbox: info.mailbox, output }
}
