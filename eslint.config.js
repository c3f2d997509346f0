// Lint config, including the import rules of STYLE.md ("Import rules").
//
// The import rules are plain `no-restricted-imports` options on the import string, so they need
// no module resolution: they work on files that do not exist yet (a new service is covered the
// day it is created) and on the virtual paths of scripts/lint-rules.test.ts. Two rule names
// carry them, so the two concerns never need a cross product of config blocks:
// - `no-restricted-imports`: what a file may import, by area and layer (packages by name,
//   layer folders by relative path). A later block replaces an earlier block's options for
//   the same rule, so every block below carries the complete list for its files.
// - `@typescript-eslint/no-restricted-imports` (the same rule under another name): relative
//   imports that climb out of their own workspace package, checked by directory depth.
// Do not add other `no-restricted-imports` options in a separate block: they would replace
// these. Extend `restrictions()` instead.
// A third name, `emporium/type-only-imports` (typescript-eslint's rule again, for its
// `allowTypeImports`), carries the imports a layer may take as types only: infra/ implements
// app/'s ports, so it may name any app/ type, but calls no use case. It has a rule name of its
// own because `allowTypeImports` lets a type import of a matching path past every pattern of the
// same rule, the depth rule's included.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import js from '@eslint/js'
import globals from 'globals'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

const root = path.dirname(fileURLToPath(import.meta.url))
const EXT = '{ts,tsx,mts,cts,js,mjs,cjs}'
const SOURCE = `*.${EXT}`
/** Test code: test files, and helpers shared by tests (`*-test-support.ts`, `test/`, `testing/`). */
const TEST_FILES = [
  '*.test.{ts,tsx}',
  '*-test-support.{ts,tsx}',
  `test/**/${SOURCE}`,
  `testing/**/${SOURCE}`,
]
const WORKSPACE_GROUPS = ['packages', 'services', 'apps']
const LAYERS = ['domain', 'app', 'infra', 'http', 'events']
/** Deepest directory nesting (below packages/, services/, apps/) the depth rule covers. */
const MAX_DEPTH = 12

/** `@emporium/x/sub` subpaths that workspace packages declare in their `exports` maps. */
function exportedSubpaths() {
  const subpaths = []
  for (const group of WORKSPACE_GROUPS) {
    const dir = path.join(root, group)
    if (!fs.existsSync(dir)) continue
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const manifest = path.join(dir, entry.name, 'package.json')
      if (!entry.isDirectory() || !fs.existsSync(manifest)) continue
      const { name, exports } = JSON.parse(fs.readFileSync(manifest, 'utf8'))
      if (typeof name !== 'string' || !exports || typeof exports !== 'object') continue
      for (const key of Object.keys(exports)) {
        if (key.startsWith('./') && key !== './') subpaths.push(`${name}/${key.slice(2)}`)
      }
    }
  }
  return subpaths
}

const escapeRegex = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const oneOf = (names) => `(${names.join('|')})`
const globToRegex = (subpath) => subpath.split('*').map(escapeRegex).join('[^/]+')

const exported = exportedSubpaths()
const testingSubpaths = exported.filter((s) => /\/testing(\/|$)/.test(s))

// Packages that do I/O or are frameworks. The app layer must not touch them either, bar logging,
// metrics, tracing and resilience, which come through @emporium/platform anyway.
const CLIENT_PACKAGES = [
  'fastify',
  '@fastify/[^/]+',
  'kysely',
  'kysely-[^/]+',
  'pg',
  'pg-[^/]+',
  'mysql2',
  'ioredis',
  'redis',
  'amqplib',
  'amqp-connection-manager',
  'undici',
  '@electric-sql/[^/]+',
]
const IO_PACKAGES = [
  ...CLIENT_PACKAGES,
  'pino',
  'pino-[^/]+',
  'prom-client',
  '@opentelemetry/[^/]+',
  'cockatiel',
]
const NODE_IO_MODULES = [
  'fs',
  'net',
  'http',
  'https',
  'http2',
  'child_process',
  'dgram',
  'dns',
  'tls',
  'cluster',
  'worker_threads',
  'readline',
  'inspector',
  'process',
]
/** What the domain layer may take from @emporium/platform: its error types, nothing with I/O. */
export const DOMAIN_PLATFORM_IMPORTS = [
  'AppError',
  'isAppError',
  'PermanentError',
  'ErrorKind',
  'FieldError',
]

/**
 * What app/ may not take from @emporium/platform: what opens databases, brokers, servers or
 * files, runs processes and jobs, or reads the environment. app/ declares a port in
 * app/ports.ts and service.ts (the composition root) passes in what implements it. Errors,
 * the logger type, cursors and the like stay available.
 */
export const PLATFORM_INFRASTRUCTURE = [
  // Databases and migrations
  'openDatabase',
  'withAfterCommit',
  'migrate',
  'createFolderMigrationProvider',
  'platformMigrations',
  // Messaging: the outbox, the inbox, the relay, the buses and their consumers
  'createOutbox',
  'createOutboxRelay',
  'createInbox',
  'createConsumerSubscription',
  'createRabbitMqBus',
  'createInProcessBus',
  // Process runtime and periodic jobs
  'startService',
  'runProcess',
  'runStandalone',
  'handleShutdown',
  'startPeriodic',
  // HTTP servers and outbound clients
  'createHttpServer',
  'createServiceClient',
  'createUpstreamBreaker',
  'createUpstreamPool',
  'registerEventLoopGuard',
  'serveServiceJwks',
  // Keys, tokens and revocation stores (files, JWKS fetches, Redis)
  'createJwtVerifier',
  'createLocalJwtVerifier',
  'createRedisRevocationList',
  'createProcessRevocationList',
  'createServiceTrust',
  'loadServiceCredentials',
  'loadKeyRing',
  'readPrivateJwks',
  // Telemetry and configuration
  'setupTracing',
  'shutdownTracing',
  'createMetricsRegistry',
  'loadConfig',
  'loadConfigOrExit',
]

const pattern = (regex, message) => ({ regex, message, caseSensitive: true })
/** A relative import that goes up at least one level and then enters one of `names`. */
const upInto = (names) => `^(\\./)?(\\.\\./)+(.*/)?${oneOf(names)}(/|$)`

const rules = {
  internals: pattern(
    // Any @emporium/<pkg>/<sub> other than the subpaths packages export.
    `^(?!${oneOf(exported.map(globToRegex))}$)@emporium/[^/]+/`,
    'Import another workspace package by its entry (`@emporium/<name>`) or a subpath its ' +
      'package.json exports; its src/ files are internal. If you need something it does not ' +
      'export, export it from its entry.',
  ),
  testingOnlyInTests: pattern(
    `^${oneOf(testingSubpaths.map(globToRegex).concat('@emporium/[^/]+/testing'))}(/|$)`,
    'Test helpers (`@emporium/*/testing`) are for test code only (*.test.ts, *-test-support.ts, ' +
      'test/ folders); production code gets its dependencies from the composition root.',
  ),
  outsiderIntoWorkspace: pattern(
    `^(\\./)?(\\.\\./)+${oneOf(WORKSPACE_GROUPS)}/`,
    'Import workspace packages by name (`@emporium/<name>`), never by a relative path into ' +
      'their files.',
  ),
  contractsOnlySchemaLibrary: (extra) =>
    pattern(
      `^(?!${oneOf(['typebox', ...extra])}(/|$)|\\.\\.?(/|$))`,
      'Contracts import only the schema library (typebox) and their own files: every service ' +
        'and the tests import them, so they carry no runtime, Node or workspace dependency.',
    ),
  sdkOnlyItsFetchClient: (extra) =>
    pattern(
      `^(?!${oneOf(['openapi-fetch', ...extra])}(/|$)|\\.\\.?(/|$))`,
      'The SDK imports only openapi-fetch and its own files: browsers (the storefront) and Node ' +
        'run it, so it carries no Node module and no workspace package; it is generated from ' +
        'docs/openapi.json, not from the contracts.',
    ),
  platformNoBusiness: pattern(
    `^@emporium/(?!${oneOf(['contracts', 'platform'])}(/|$))`,
    'The platform holds no business logic: it never imports services or apps (only ' +
      '@emporium/contracts). Let the service pass what the platform needs as an argument.',
  ),
  serviceNoOtherService: pattern(
    `^@emporium/(?!${oneOf(['contracts', 'platform'])}(/|$))`,
    'Services never import another service (or an app): call its API through a client typed ' +
      'by @emporium/contracts, or keep a local copy built from its events. Within the service, ' +
      'import your own files by relative path.',
  ),
  domainNoOuterLayers: pattern(
    upInto(['app', 'infra', 'http', 'events']),
    'domain/ must not import app/, infra/, http/ or events/: the domain has no I/O and knows ' +
      'nothing of use cases. Move the dependency outwards, or have app/ pass in what the rule ' +
      'needs as a plain value.',
  ),
  domainNoCompositionRoot: pattern(
    `^(\\./)?(\\.\\./)+${oneOf(['service', 'main', 'config'])}(\\.[cm]?[jt]s)?$`,
    'domain/ must not import service.ts, main.ts or config.ts: pass values in as arguments.',
  ),
  domainNoIoPackages: pattern(
    `^${oneOf(IO_PACKAGES)}(/|$)`,
    'domain/ must not import I/O or framework packages: keep rules pure, and do I/O in infra/ ' +
      'behind a port defined in app/ports.ts.',
  ),
  domainNoNodeIo: pattern(
    `^(node:)?${oneOf(NODE_IO_MODULES)}(/|$)`,
    'domain/ must not use Node I/O modules: keep rules pure, and do I/O in infra/ behind a ' +
      'port defined in app/ports.ts.',
  ),
  domainPlatformErrorsOnly: (test) =>
    pattern(
      `^@emporium/platform(?!/${oneOf(test ? ['errors', 'testing'] : ['errors'])}$)(/|$)`,
      `domain/ may take from the platform only its error types, through @emporium/platform/errors (${DOMAIN_PLATFORM_IMPORTS.join(', ')}); anything with I/O belongs in infra/ behind a port in app/ports.ts.`,
    ),
  appNoAdapters: pattern(
    upInto(['infra', 'http', 'events']),
    'app/ must not import infra/, http/ or events/: declare what the use case needs in ' +
      'app/ports.ts and let service.ts pass the infra/ adapter in.',
  ),
  // app/'s own files take the platform through its allow-list entry (packages/platform/src/
  // app-layer.ts), so that a new constructor in the main entry is out of reach by default. Its
  // tests may wire more (a logger, a fake's store), but still construct no infrastructure.
  appPlatformThroughItsEntry: pattern(
    `^@emporium/platform(?!/${oneOf(['app', 'errors'])}$)(/|$)`,
    'app/ takes from the platform only @emporium/platform/app (errors, the logger type, ' +
      'cursors, the handler context) or /errors: what opens databases, brokers, servers or ' +
      'clients is constructed in service.ts and reaches the use case through app/ports.ts.',
  ),
  appNoPlatformInfrastructure: {
    name: '@emporium/platform',
    importNames: PLATFORM_INFRASTRUCTURE,
    message:
      'app/ must not construct infrastructure (databases, brokers, servers, clients, the ' +
      'runtime): declare what the use case needs in app/ports.ts and let service.ts pass it in.',
  },
  appNoClients: pattern(
    `^${oneOf(CLIENT_PACKAGES)}(/|$)`,
    'app/ must not import fastify or database, broker or HTTP clients: declare a port in ' +
      'app/ports.ts (implemented in infra/), and use @emporium/platform for the rest.',
  ),
  infraNoEntryPoints: pattern(
    upInto(['http', 'events']),
    'infra/ must not import http/ or events/: adapters are called by use cases, not the other ' +
      'way round. Move shared code to app/ or domain/.',
  ),
  entryPointsNoInfra: pattern(
    upInto(['infra']),
    'http/ and events/ must not import infra/: call a use case from app/ (service.ts wires ' +
      'the adapters into it).',
  ),
}

/**
 * The complete `no-restricted-imports` options for one kind of file.
 * @param {'other' | 'outside' | 'workspace' | 'contracts' | 'sdk' | 'platform' | 'service' | 'domain' | 'app' | 'infra' | 'http' | 'events'} area
 */
function restrictions(area, { test = false } = {}) {
  const patterns = [rules.internals]
  const paths = []
  if (area === 'outside') patterns.push(rules.outsiderIntoWorkspace)
  if (area !== 'other' && area !== 'outside' && !test) patterns.push(rules.testingOnlyInTests)
  if (area === 'contracts') patterns.push(rules.contractsOnlySchemaLibrary(test ? ['vitest'] : []))
  if (area === 'sdk') {
    patterns.push(rules.sdkOnlyItsFetchClient(test ? ['vitest', 'fast-check', 'node:[^/]+'] : []))
  }
  if (area === 'platform') patterns.push(rules.platformNoBusiness)
  if (LAYERS.includes(area) || area === 'service') patterns.push(rules.serviceNoOtherService)
  if (area === 'domain') {
    patterns.push(rules.domainNoOuterLayers, rules.domainNoCompositionRoot)
    patterns.push(rules.domainNoIoPackages, rules.domainNoNodeIo)
    patterns.push(rules.domainPlatformErrorsOnly(test))
  }
  if (area === 'app') {
    patterns.push(rules.appNoAdapters, rules.appNoClients)
    if (test) paths.push(rules.appNoPlatformInfrastructure)
    else patterns.push(rules.appPlatformThroughItsEntry)
  }
  if (area === 'infra') patterns.push(rules.infraNoEntryPoints)
  if (area === 'http' || area === 'events') patterns.push(rules.entryPointsNoInfra)
  return ['error', { paths, patterns }]
}

/** From general to specific: the last block matching a file decides. */
const AREAS = [
  ['other', '**'],
  ['outside', '{scripts,tests}/**'],
  ['workspace', '{packages,services,apps}/**'],
  ['contracts', 'packages/contracts/src/**'],
  ['sdk', 'packages/sdk/src/**'],
  ['platform', 'packages/platform/**'],
  ['service', 'services/**'],
  ...LAYERS.map((layer) => [layer, `services/*/src/${layer}/**`]),
]

const importRuleBlocks = AREAS.flatMap(([area, glob]) => [
  {
    name: `emporium/imports/${area}`,
    files: [`${glob}/${SOURCE}`],
    rules: { 'no-restricted-imports': restrictions(area) },
  },
  {
    name: `emporium/imports/${area}/tests`,
    files: TEST_FILES.map((test) => `${glob}/${test}`),
    rules: { 'no-restricted-imports': restrictions(area, { test: true }) },
  },
])

// A file `depth` directories below packages/, services/ or apps/ leaves its own workspace package
// with `depth` times `../`. Another package is imported by name, never by path.
const depthBlocks = Array.from({ length: MAX_DEPTH }, (_, i) => i + 1).map((depth) => ({
  name: `emporium/imports/no-escape/depth-${depth}`,
  files: [`{${WORKSPACE_GROUPS.join(',')}}/${'*/'.repeat(depth)}${SOURCE}`],
  rules: {
    '@typescript-eslint/no-restricted-imports': [
      'error',
      {
        patterns: [
          pattern(
            `^(\\./)?(\\.\\./){${depth - 1}}\\.\\.(/|$)`,
            'This relative import leaves its workspace package. Services never import another ' +
              'service: call its API through a client typed by @emporium/contracts, or keep a ' +
              'local copy built from its events. Other packages are imported by name ' +
              '(`@emporium/<name>`), never by a path into their files.',
          ),
        ],
      },
    ],
  },
}))

// infra/ may import app/ports.ts (STYLE.md's table: an adapter implements a port and may throw
// the port's error class), and any other app/ file for its types only: an adapter calls no use
// case. Tests may (an adapter's test can drive the use case it serves).
const infraAppTypesOnly = {
  name: 'emporium/imports/infra/app-types-only',
  files: [`services/*/src/infra/**/${SOURCE}`],
  ignores: TEST_FILES.map((test) => `services/*/src/infra/**/${test}`),
  rules: {
    'emporium/type-only-imports': [
      'error',
      {
        patterns: [
          {
            ...pattern(
              `^(\\./)?(\\.\\./)+(.*/)?app(/|$)(?!ports(\\.[cm]?[jt]s)?$)`,
              'infra/ takes from app/ only its ports (app/ports.ts) and types (`import type`): ' +
                'an adapter implements a port and calls no use case. Move a shared value to ' +
                'domain/ or into app/ports.ts.',
            ),
            allowTypeImports: true,
          },
        ],
      },
    ],
  },
}

// Workspace source where `process.env` may be read: config modules, entry points and tests.
const ENV_READERS = [
  `**/config.${EXT}`,
  `**/*-config.${EXT}`,
  `**/main.${EXT}`,
  // CLIs are entry points of their own (users' admin-cli, the platform's dlq-cli).
  `**/*-cli.${EXT}`,
  // The producer and consumer processes the platform's crash test spawns: entry points the test
  // configures through their environment, no service's code.
  `packages/platform/src/messaging/crash/*.${EXT}`,
  ...TEST_FILES.map((test) => `**/${test}`),
]

export default defineConfig(
  {
    name: 'emporium/ignores',
    ignores: [
      '**/node_modules/',
      '**/.data/',
      '**/.tsbuild/',
      '**/dist/',
      '**/coverage/',
      '**/test-results/',
      'scripts/lint-fixtures/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'emporium/base',
    plugins: {
      emporium: { rules: { 'type-only-imports': tseslint.plugin.rules['no-restricted-imports'] } },
    },
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          args: 'after-used',
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // verbatimModuleSyntax keeps every import that is not marked `type`.
      '@typescript-eslint/consistent-type-imports': [
        'error',
        {
          prefer: 'type-imports',
          fixStyle: 'inline-type-imports',
          disallowTypeAnnotations: false,
        },
      ],
      // On for workspace source (emporium/no-explicit-any below); tests, scripts and migrations
      // (`Kysely<any>` is Kysely's documented type for a migration) may use `any`.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-import-type-side-effects': 'error',
      'prefer-const': ['error', { destructuring: 'all' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    name: 'emporium/no-console',
    files: [`{packages,services,apps}/**/${SOURCE}`],
    ignores: [`apps/*/src/main.ts`, `**/*-cli.ts`],
    rules: { 'no-console': 'error' },
  },
  {
    // Where `any` is the honest type (a helper on any service's tables: Kysely's `Kysely<any>`),
    // say so with `// eslint-disable-next-line @typescript-eslint/no-explicit-any -- <why>`.
    name: 'emporium/no-explicit-any',
    files: [`{packages,services,apps}/*/src/**/${SOURCE}`],
    ignores: TEST_FILES.map((test) => `**/${test}`),
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
  {
    name: 'emporium/process-env-in-config',
    files: [`{packages,services,apps}/*/src/**/${SOURCE}`],
    ignores: ENV_READERS,
    rules: {
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message:
            'Read `process.env` only in config modules (config.ts, *-config.ts), entry points ' +
            '(main.ts, *-cli.ts) and tests: add the variable to the config schema and pass ' +
            'the value in.',
        },
      ],
    },
  },
  {
    // Medusa's project files for the benchmark's peer rows: Medusa loads its configuration and
    // `medusa exec` scripts with `require`, so they are CommonJS (scripts/bench/peers/medusa.ts).
    name: 'emporium/medusa-project',
    files: ['scripts/bench/peers/medusa-project/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        exports: 'writable',
        module: 'writable',
        process: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  ...importRuleBlocks,
  infraAppTypesOnly,
  ...depthBlocks,
)
