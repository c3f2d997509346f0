// Proves the import rules of STYLE.md hold as lint errors: each rule refuses at least one import
// and lets the corresponding legitimate one through, so deleting a rule or making it over-broad
// fails here. Paths are virtual (lintText applies the config for a path that need not exist), so
// services that are not written yet are covered too.
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ESLint } from 'eslint'
import { beforeAll, describe, expect, it } from 'vitest'
import { deployableNames } from '@emporium/contracts'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
let eslint: ESLint

beforeAll(() => {
  eslint = new ESLint({ cwd: repoRoot })
})

interface Finding {
  ruleId: string | null
  message: string
}

async function lint(file: string, code: string): Promise<Finding[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) })
  return (result?.messages ?? []).map(({ ruleId, message }) => ({ ruleId, message }))
}

/** A module that imports `names` from `source` and uses them, so only import rules can object. */
function importing(source: string, names: string[] = ['x']): string {
  return `import { ${names.join(', ')} } from '${source}'\n\nexport const used = [${names.join(', ')}]\n`
}

const RESTRICTED = 'no-restricted-imports'
const ESCAPE = '@typescript-eslint/no-restricted-imports'
const TYPE_ONLY = 'emporium/type-only-imports'
const IMPORT_RULES = [RESTRICTED, ESCAPE, TYPE_ONLY]

interface Case {
  /** What the pair proves. */
  rule: string
  file: string
  refused: string
  /** Rule id and a fragment of the message the refused import must report. */
  expected: [ruleId: string, message: string]
  allowed: string
  /** The allowed code's path, when it differs from the refused one's. */
  allowedFile?: string
}

const cases: Case[] = [
  {
    rule: 'a service does not import another service by package name',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('@emporium/catalog'),
    expected: [RESTRICTED, 'Services never import another service'],
    allowed: importing('@emporium/contracts'),
  },
  {
    rule: 'a service not yet on disk is protected the same way',
    file: 'services/wishlist/src/events/on-order-placed.ts',
    refused: importing('@emporium/orders'),
    expected: [RESTRICTED, 'Services never import another service'],
    allowed: importing('@emporium/platform'),
  },
  {
    rule: 'a service does not reach into another service by relative path (from src/)',
    file: 'services/orders/src/service.ts',
    refused: importing('../../catalog/src/x.js'),
    expected: [ESCAPE, 'leaves its workspace package'],
    // As high as a file in services/orders/src/ may climb: the service's own root.
    allowed: importing('../test/fixtures.js'),
  },
  {
    rule: 'a service does not reach into another service by relative path (from a layer)',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('../../../catalog/src/domain/product.js'),
    expected: [ESCAPE, 'leaves its workspace package'],
    allowed: importing('../../test/fixtures.js'),
  },
  {
    rule: 'an app imports a service by its entry, not its internals by name',
    file: 'apps/all-in-one/src/services.ts',
    refused: importing('@emporium/orders/src/domain/order.js'),
    expected: [RESTRICTED, 'by its entry'],
    allowed: importing('@emporium/orders'),
  },
  {
    rule: 'an app does not reach into a service by relative path',
    file: 'apps/all-in-one/src/services.ts',
    refused: importing('../../../services/orders/src/service.js'),
    expected: [ESCAPE, 'leaves its workspace package'],
    allowed: importing('./config.js'),
  },
  {
    rule: 'nobody imports platform internals',
    file: 'services/orders/src/infra/pg-orders.ts',
    refused: importing('@emporium/platform/src/db/database.js'),
    expected: [RESTRICTED, 'by its entry'],
    allowed: importing('@emporium/platform'),
  },
  {
    rule: 'nobody imports contracts internals, scripts included',
    file: 'scripts/generate-openapi.ts',
    refused: importing('@emporium/contracts/src/events.js'),
    expected: [RESTRICTED, 'by its entry'],
    allowed: importing('@emporium/contracts'),
  },
  {
    rule: 'scripts and tests reach workspace packages by name, not by path',
    file: 'tests/e2e/checkout.test.ts',
    refused: importing('../../services/orders/src/domain/order.js'),
    expected: [RESTRICTED, 'never by a relative path'],
    allowed: importing('@emporium/all-in-one'),
  },
  {
    rule: 'platform test helpers only in test files',
    file: 'services/orders/src/service.ts',
    refused: importing('@emporium/platform/testing'),
    expected: [RESTRICTED, 'for test code only'],
    allowed: importing('@emporium/platform/testing'),
    allowedFile: 'services/orders/src/infra/pg-orders.int.test.ts',
  },
  {
    rule: 'contracts do not import Node modules',
    file: 'packages/contracts/src/orders/http.ts',
    refused: importing('node:fs'),
    expected: [RESTRICTED, 'Contracts import only the schema library'],
    allowed: `import Type from 'typebox'\nimport { Money } from '../money.js'\n\nexport const used = [Type, Money]\n`,
  },
  {
    rule: 'contracts do not import workspace packages',
    file: 'packages/contracts/src/orders/events.ts',
    refused: importing('@emporium/platform'),
    expected: [RESTRICTED, 'Contracts import only the schema library'],
    allowed: importing('typebox/value'),
  },
  {
    rule: 'contract tests may use vitest, nothing else',
    file: 'packages/contracts/src/money.test.ts',
    refused: importing('pg'),
    expected: [RESTRICTED, 'Contracts import only the schema library'],
    allowed: importing('vitest', ['it']),
  },
  {
    rule: 'the SDK imports no Node module (browsers run it)',
    file: 'packages/sdk/src/client.ts',
    refused: importing('node:crypto'),
    expected: [RESTRICTED, 'The SDK imports only openapi-fetch'],
    allowed: importing('openapi-fetch') + importing('./schema.js', ['y']).replace('used', 'also'),
  },
  {
    rule: 'the SDK imports no workspace package',
    file: 'packages/sdk/src/index.ts',
    refused: importing('@emporium/contracts'),
    expected: [RESTRICTED, 'The SDK imports only openapi-fetch'],
    allowed: importing('./client.js'),
  },
  {
    rule: 'SDK tests may use vitest and a real server',
    file: 'packages/sdk/src/client.test.ts',
    refused: importing('@emporium/platform'),
    expected: [RESTRICTED, 'The SDK imports only openapi-fetch'],
    allowed:
      importing('node:http', ['createServer']).replace('used', 'server') +
      importing('vitest', ['it']),
  },
  {
    rule: 'a service does not use the SDK (it is a client of the public API)',
    file: 'services/orders/src/infra/cart-client.ts',
    refused: importing('@emporium/sdk'),
    expected: [RESTRICTED, 'Services never import another service'],
    allowed: importing('@emporium/contracts'),
  },
  {
    rule: 'apps and tests may use the SDK',
    file: 'apps/storefront/src/api/client.ts',
    refused: importing('@emporium/sdk/src/client.js'),
    expected: [RESTRICTED, 'by its entry'],
    allowed: importing('@emporium/sdk'),
  },
  {
    rule: 'the platform never imports a service',
    file: 'packages/platform/src/runtime.ts',
    refused: importing('@emporium/orders'),
    expected: [RESTRICTED, 'The platform holds no business logic'],
    allowed: importing('@emporium/contracts'),
  },
  {
    rule: 'domain does not import infra',
    file: 'services/orders/src/domain/order.ts',
    refused: importing('../infra/pg-orders.js'),
    expected: [RESTRICTED, 'domain/ must not import app/, infra/'],
    allowed: importing('./money.js'),
  },
  {
    rule: 'domain does not import app (even from a sub-folder)',
    file: 'services/orders/src/domain/pricing/discount.ts',
    refused: importing('../../app/ports.js'),
    expected: [RESTRICTED, 'domain/ must not import app/, infra/'],
    allowed: importing('../order.js'),
  },
  {
    rule: 'domain does not import the composition root',
    file: 'services/orders/src/domain/order.ts',
    refused: importing('../service.js'),
    expected: [RESTRICTED, 'domain/ must not import service.ts'],
    allowed: importing('./order-status.js'),
  },
  {
    rule: 'domain does not import frameworks',
    file: 'services/orders/src/domain/order.ts',
    refused: importing('fastify'),
    expected: [RESTRICTED, 'domain/ must not import I/O or framework packages'],
    allowed: importing('@emporium/contracts'),
  },
  {
    rule: 'domain does not import Node I/O modules',
    file: 'services/orders/src/domain/order.ts',
    refused: importing('node:fs/promises'),
    expected: [RESTRICTED, 'domain/ must not use Node I/O modules'],
    allowed: importing('node:crypto'),
  },
  {
    rule: 'domain takes only error types from the platform, through its errors entry',
    file: 'services/orders/src/domain/order.ts',
    refused: importing('@emporium/platform', ['AppError']),
    expected: [RESTRICTED, 'domain/ may take from the platform only its error types'],
    allowed: importing('@emporium/platform/errors', ['AppError', 'isAppError', 'PermanentError']),
  },
  {
    rule: 'app does not import infra',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('../infra/pg-orders.js'),
    expected: [RESTRICTED, 'app/ must not import infra/'],
    allowed: importing('./ports.js'),
  },
  {
    rule: 'app does not import http',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('../http/routes.js'),
    expected: [RESTRICTED, 'app/ must not import infra/, http/'],
    allowed: importing('@emporium/platform/app', ['AppError', 'encodeTimeIdCursor']),
  },
  {
    rule: 'app takes the platform only through its app entry',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('@emporium/platform', ['AppError']),
    expected: [RESTRICTED, 'app/ takes from the platform only @emporium/platform/app'],
    allowed: importing('@emporium/platform/app', ['AppError', 'encodeTimeIdCursor', 'missingRole']),
  },
  {
    rule: 'app does not reach the platform through its testing entry',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('@emporium/platform/testing', ['createTestDatabase']),
    expected: [RESTRICTED, 'app/ takes from the platform only @emporium/platform/app'],
    allowed: importing('@emporium/platform/errors', ['AppError']),
  },
  {
    rule: 'app tests do not open a database through the platform',
    file: 'services/orders/src/app/place-order.test.ts',
    refused: importing('@emporium/platform', ['createLogger', 'openDatabase']),
    expected: [RESTRICTED, 'app/ must not construct infrastructure'],
    allowed: importing('@emporium/platform', ['createLogger']),
  },
  {
    rule: 'app does not start a broker through the platform (from a sub-folder too)',
    file: 'services/orders/src/app/saga/advance.ts',
    refused: importing('@emporium/platform', ['createRabbitMqBus']),
    expected: [RESTRICTED, 'app/ takes from the platform only @emporium/platform/app'],
    allowed: importing('@emporium/platform/app', ['AppError']),
  },
  {
    rule: 'domain does not start a broker through the platform',
    file: 'services/orders/src/domain/order.ts',
    refused: importing('@emporium/platform/app', ['AppError']),
    expected: [RESTRICTED, 'domain/ may take from the platform only its error types'],
    allowed: importing('@emporium/platform/errors', ['AppError']),
  },
  {
    rule: 'app does not import database clients',
    file: 'services/orders/src/app/place-order.ts',
    refused: importing('kysely', ['sql']),
    expected: [RESTRICTED, 'app/ must not import fastify or database'],
    allowed: importing('../domain/order.js'),
  },
  {
    rule: 'infra does not import http or events',
    file: 'services/orders/src/infra/pg-orders.ts',
    refused: importing('../events/on-stock-reserved.js'),
    expected: [RESTRICTED, 'infra/ must not import http/ or events/'],
    allowed: importing('../app/ports.js'),
  },
  {
    rule: 'infra takes no value from app/ but its ports',
    file: 'services/catalog/src/infra/kysely-store.ts',
    refused: importing('../app/product-view.js', ['defaultImageUrl']),
    expected: [TYPE_ONLY, 'infra/ takes from app/ only its ports'],
    // Types from any app/ file; values from app/ports.ts, whose port an adapter implements.
    allowed: `import type { ProductView } from '../app/product-view.js'\nimport { ProviderTransientError, type PaymentProvider } from '../app/ports.js'\n\nexport let v: [ProductView, PaymentProvider]\nexport const E = ProviderTransientError\n`,
  },
  {
    rule: 'infra calls no use case (from a sub-folder too)',
    file: 'services/orders/src/infra/saga/http-cart.ts',
    refused: importing('../../app/place-order.js', ['createPlaceOrder']),
    expected: [TYPE_ONLY, 'infra/ takes from app/ only its ports'],
    allowed: importing('../../app/ports.js', ['ProviderTransientError']),
  },
  {
    rule: 'infra tests may drive the use case their adapter serves',
    file: 'services/users/src/infra/jose-access-tokens.ts',
    refused: importing('../app/authenticate.js', ['createAuthenticate']),
    expected: [TYPE_ONLY, 'infra/ takes from app/ only its ports'],
    allowed: importing('../app/authenticate.js', ['createAuthenticate']),
    allowedFile: 'services/users/src/infra/jose-access-tokens.test.ts',
  },
  {
    rule: 'http does not import infra',
    file: 'services/orders/src/http/routes.ts',
    refused: importing('../infra/pg-orders.js'),
    expected: [RESTRICTED, 'http/ and events/ must not import infra/'],
    allowed: importing('../app/place-order.js'),
  },
  {
    rule: 'events do not import infra',
    file: 'services/orders/src/events/on-stock-reserved.ts',
    refused: importing('../infra/pg-orders.js'),
    expected: [RESTRICTED, 'http/ and events/ must not import infra/'],
    allowed: importing('../domain/order.js'),
  },
  {
    rule: 'the composition root may import every layer, but no other service',
    file: 'services/orders/src/service.ts',
    refused: importing('@emporium/payments'),
    expected: [RESTRICTED, 'Services never import another service'],
    allowed: `import { a } from './infra/pg-orders.js'\nimport { b } from './http/routes.js'\nimport { c } from './events/on-stock-reserved.js'\nimport { d } from './app/place-order.js'\n\nexport const used = [a, b, c, d]\n`,
  },
]

describe('import rules', () => {
  it.each(cases)('$rule', async ({ file, refused, expected, allowed, allowedFile }) => {
    const [ruleId, message] = expected
    const findings = await lint(file, refused)
    expect(findings).toContainEqual({ ruleId, message: expect.stringContaining(message) })
    expect(findings.every((f) => IMPORT_RULES.includes(f.ruleId ?? ''))).toBe(true)
    expect(await lint(allowedFile ?? file, allowed)).toEqual([])
  })

  // Every declared service (packages/contracts/src/services.ts) against every other, so that a
  // rule written with a list of names instead of a pattern fails here the day a service is added.
  it('refuses each declared service the package of every other', async () => {
    for (const name of deployableNames) {
      for (const other of deployableNames.filter((o) => o !== name)) {
        const findings = await lint(
          `services/${name}/src/app/x.ts`,
          importing(`@emporium/${other}`),
        )
        expect(
          findings.map((f) => f.ruleId),
          `${name} importing ${other}`,
        ).toEqual([RESTRICTED])
      }
    }
  })

  it('lets shared test helpers use platform test helpers too', async () => {
    for (const file of [
      'services/orders/test/databases.ts',
      'services/orders/src/app/orders-test-support.ts',
    ]) {
      expect(await lint(file, importing('@emporium/platform/testing')), file).toEqual([])
    }
  })

  it('also checks re-exports', async () => {
    const findings = await lint(
      'services/orders/src/domain/index.ts',
      `export * from '../infra/pg-orders.js'\n`,
    )
    expect(findings.map((f) => f.ruleId)).toEqual([RESTRICTED])
  })

  it('checks type-only imports too', async () => {
    const findings = await lint(
      'services/orders/src/app/ports.ts',
      `import type { Kysely } from 'kysely'\n\nexport type Db = Kysely<object>\n`,
    )
    expect(findings.map((f) => f.ruleId)).toEqual([RESTRICTED])
  })

  it('refuses every platform constructor of databases, brokers and servers in app/ tests', async () => {
    for (const name of [
      'openDatabase',
      'createRabbitMqBus',
      'createInProcessBus',
      'createOutbox',
      'createOutboxRelay',
      'createInbox',
      'migrate',
      'createHttpServer',
      'createServiceClient',
      'createRedisRevocationList',
      'runStandalone',
      'loadConfig',
    ]) {
      const findings = await lint(
        'services/orders/src/app/x.test.ts',
        importing('@emporium/platform', [name]),
      )
      expect(
        findings.map((f) => f.ruleId),
        name,
      ).toEqual([RESTRICTED])
      expect(findings[0]?.message, name).toContain(`'${name}'`)
    }
  })

  it('refuses database, broker and HTTP drivers in app/ and domain/', async () => {
    const drivers = [
      'pg',
      'mysql2',
      'amqplib',
      'ioredis',
      'undici',
      '@electric-sql/pglite',
      'kysely',
    ]
    for (const file of ['services/orders/src/app/x.ts', 'services/orders/src/domain/x.ts']) {
      for (const driver of drivers) {
        const findings = await lint(file, importing(driver))
        expect(
          findings.map((f) => f.ruleId),
          `${file}: ${driver}`,
        ).toEqual([RESTRICTED])
      }
    }
  })

  it('checks re-exports of app/ values from infra/, and lets type re-exports through', async () => {
    const file = 'services/orders/src/infra/index.ts'
    const findings = await lint(file, `export { createPlaceOrder } from '../app/place-order.js'\n`)
    expect(findings.map((f) => f.ruleId)).toEqual([TYPE_ONLY])
    expect(await lint(file, `export type { PlaceOrder } from '../app/place-order.js'\n`)).toEqual(
      [],
    )
  })

  it('lets app/ and domain/ through only the entries that hold no infrastructure', async () => {
    // Whatever the main entry gains later, app/ reaches it only once app-layer.ts re-exports it.
    for (const name of ['openDatabase', 'createRabbitMqBus', 'runStandalone', 'loadConfig']) {
      const findings = await lint(
        'services/orders/src/app/x.ts',
        importing('@emporium/platform', [name]),
      )
      expect(
        findings.map((f) => f.ruleId),
        name,
      ).toEqual([RESTRICTED])
    }
    const platformApp = await import('../packages/platform/src/app-layer.js')
    for (const name of [
      'openDatabase',
      'createRabbitMqBus',
      'runStandalone',
      'loadConfig',
      'createOutbox',
    ]) {
      expect(Object.keys(platformApp), name).not.toContain(name)
    }
  })
})

describe('general rules', () => {
  it('refuses console in services and packages, allows it in app entries, CLIs and scripts', async () => {
    const code = `console.log('hi')\n`
    for (const file of ['services/orders/src/app/x.ts', 'packages/platform/src/log.ts']) {
      expect((await lint(file, code)).map((f) => f.ruleId)).toEqual(['no-console'])
    }
    for (const file of [
      'apps/all-in-one/src/main.ts',
      'packages/platform/src/messaging/dlq-cli.ts',
      'scripts/start-distributed.ts',
    ]) {
      expect(await lint(file, code)).toEqual([])
    }
  })

  it('refuses process.env outside config modules, entry points and tests', async () => {
    const read = `export const url = process.env.ORDERS_DATABASE_URL\n`
    const destructured = `const { env } = process\n\nexport const url = env.ORDERS_DATABASE_URL\n`
    for (const file of [
      'services/orders/src/app/place-order.ts',
      'services/orders/src/infra/sql-order-store.ts',
      'services/orders/src/service.ts',
      'packages/platform/src/messaging/outbox-relay.ts',
      'apps/loadgen/src/run-load.ts',
    ]) {
      for (const code of [read, destructured]) {
        const findings = await lint(file, code)
        expect(
          findings.map((f) => f.ruleId),
          file,
        ).toEqual(['no-restricted-properties'])
        expect(findings[0]?.message).toContain('only in config modules')
      }
    }
    for (const file of [
      'services/orders/src/config.ts',
      'packages/platform/src/config.ts',
      'apps/all-in-one/src/config.ts',
      'apps/loadgen/src/loadgen-config.ts',
      'services/orders/src/main.ts',
      'apps/all-in-one/src/main.ts',
      'services/users/src/admin-cli.ts',
      'packages/platform/src/messaging/crash/producer.ts',
      'services/orders/src/app/place-order.test.ts',
      'packages/platform/src/testing/test-databases.ts',
      'apps/loadgen/src/platform-test-support.ts',
      'scripts/start-distributed.ts',
      'tests/e2e/checkout.test.ts',
    ]) {
      expect(await lint(file, read), file).toEqual([])
    }
  })

  it('refuses explicit any in workspace source, allows it in tests, scripts and migrations', async () => {
    const code = `export const f = (x: any): unknown => x\n`
    for (const file of [
      'services/orders/src/infra/sql-order-store.ts',
      'services/orders/src/domain/order.ts',
      'packages/platform/src/runtime.ts',
      'apps/storefront/src/lib/format.ts',
    ]) {
      expect(
        (await lint(file, code)).map((f) => f.ruleId),
        file,
      ).toEqual(['@typescript-eslint/no-explicit-any'])
    }
    const justified = `// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any tables\n${code}`
    expect(await lint('services/orders/src/infra/sql-order-store.ts', justified)).toEqual([])
    for (const file of [
      'services/orders/src/infra/sql-order-store.test.ts',
      'services/orders/src/app/orders-test-support.ts',
      'packages/platform/src/testing/test-databases.ts',
      'services/orders/migrations/001-create-orders.ts',
      'scripts/start-distributed.ts',
    ]) {
      expect(await lint(file, code), file).toEqual([])
    }
  })

  it('allows underscore-prefixed unused names and refuses other unused names', async () => {
    const file = 'services/orders/src/domain/x.ts'
    const code = (name: string) =>
      `export function f(a: number, ${name}: number) {\n  const [, ${name}Too] = [a, a]\n  return a\n}\n`
    expect(await lint(file, code('_b'))).toEqual([])
    const findings = await lint(file, code('b'))
    expect(findings.map((f) => f.ruleId)).toEqual([
      '@typescript-eslint/no-unused-vars',
      '@typescript-eslint/no-unused-vars',
    ])
  })

  it('wants type-only imports marked as such', async () => {
    const file = 'services/orders/src/app/x.ts'
    const findings = await lint(file, `import { Order } from './order.js'\n\nexport let o: Order\n`)
    expect(findings.map((f) => f.ruleId)).toEqual(['@typescript-eslint/consistent-type-imports'])
    expect(
      await lint(file, `import type { Order } from './order.js'\n\nexport let o: Order\n`),
    ).toEqual([])
  })

  it('wants const and strict equality, but allows == null', async () => {
    const file = 'services/orders/src/domain/x.ts'
    const findings = await lint(
      file,
      `export function f(a: unknown) {\n  let b = 1\n  return a == b\n}\n`,
    )
    expect(findings.map((f) => f.ruleId).sort()).toEqual(['eqeqeq', 'prefer-const'])
    expect(await lint(file, `export const f = (a: unknown) => a == null\n`)).toEqual([])
  })
})

describe('ignores', () => {
  it('skips fixtures and build output but lints sources', async () => {
    for (const file of [
      'scripts/lint-fixtures/bad.ts',
      'node_modules/x/index.js',
      'services/orders/node_modules/x/index.js',
      '.data/x.ts',
      '.tsbuild/platform/src/index.d.ts',
      'apps/storefront/dist/app.js',
      'coverage/x.js',
    ]) {
      expect(await eslint.isPathIgnored(path.join(repoRoot, file)), file).toBe(true)
    }
    for (const file of ['services/orders/src/domain/order.ts', 'scripts/lint-rules.test.ts']) {
      expect(await eslint.isPathIgnored(path.join(repoRoot, file)), file).toBe(false)
    }
  })
})
