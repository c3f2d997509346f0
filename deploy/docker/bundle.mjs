// Bundles each service into what its container runs, with no TypeScript, no tsx and no dev
// dependencies: `dist/<service>/` holds
//   services/<service>/src/main.mjs      the service, its workspace packages and npm packages
//   services/<service>/migrations/*.mjs  its migrations (loaded from the folder next to src/)
//   node_modules/                        only the packages that cannot be bundled, with theirs
//   apps/storefront/dist/                (gateway) the built storefront it serves at `/`
//   main.mjs, healthcheck.mjs            what the image runs and its HEALTHCHECK
// The paths keep the repository's layout because the code finds its migrations and the
// storefront with `new URL('../migrations/', import.meta.url)` and the like.
// Usage: node deploy/docker/bundle.mjs [--out folder] [--in-repository] [service…]
// (every deployable by default)
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import { builtinModules, createRequire } from 'node:module'
import path from 'node:path'
import { build } from 'esbuild'
import { ownSourceOf, trimSourceMap } from './trim-source-map.mjs'

// The deployables and their ports, as declared (packages/contracts/src/services.ts).
const { serviceDeclarations, gatewayDeclaration, deployableNames } = await declaration()
const SERVICES = [...deployableNames]
// Where the HEALTHCHECK asks `/healthz`: the service's port (`<ENV>_PORT`, the default its config
// takes), or its management server's when it has one (the gateway's public port serves a bare
// /healthz, but probes belong on management).
const HEALTH_PORTS = {
  ...Object.fromEntries(serviceDeclarations.map((s) => [s.name, [`${s.env}_PORT`, s.port]])),
  [gatewayDeclaration.name]: [
    `${gatewayDeclaration.env}_MANAGEMENT_PORT`,
    gatewayDeclaration.managementPort,
  ],
}
// Not bundled: native addons (argon2; sharp, whose libvips and binding come in its @img/*
// packages for the platform npm installed them on, which the closure below copies), Kysely (one copy shared by the service and its
// migrations), @fastify/swagger-ui (the gateway's API reference serves Swagger UI's files from
// the package's own folder, found from its code's location), and modules only the embedded mode
// or optional features load (PGlite and its dialect, pg-native): containers always name a real
// database, so those are left out entirely.
// The libraries OpenTelemetry's instrumentations patch as they load (pg, mysql2, ioredis,
// amqplib) stay modules of their own too, and import-in-the-middle with them: its loader hook
// (registered by name, not imported) and the instrumentations' `Hook` must be one copy.
const INSTRUMENTED = ['pg', 'mysql2', 'ioredis', 'amqplib', 'import-in-the-middle']
const KEEP = ['kysely', '@node-rs/argon2', 'sharp', '@fastify/swagger-ui', ...INSTRUMENTED]
const LEAVE_OUT = ['@electric-sql/pglite', 'kysely-pglite-dialect', 'pg-native']

// ESM output of CommonJS packages needs `require`, `__filename` and `__dirname` in scope.
const banner = [
  "import { createRequire as __cr } from 'node:module'",
  "import { fileURLToPath as __fu } from 'node:url'",
  "import { dirname as __dn } from 'node:path'",
  'const require = __cr(import.meta.url)',
  'const __filename = __fu(import.meta.url)',
  'const __dirname = __dn(__filename)',
].join(';')

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  outExtension: { '.js': '.mjs' },
  external: [...KEEP, ...LEAVE_OUT],
  banner: { js: banner },
  legalComments: 'none',
  sourcemap: 'linked',
  logLevel: 'warning',
  metafile: true,
}

const root = process.cwd()
// `--out <folder>`: bundles go there (default dist/). `--in-repository`: the tests' distributed
// runs (tests/e2e/distributed.ts), whose folder is inside the repository's node_modules: the
// packages left external are found there, so none is copied, and the storefront is linked.
const args = process.argv.slice(2)
const outAt = args.indexOf('--out')
const outRoot = outAt >= 0 ? path.resolve(args.splice(outAt, 2)[1]) : path.join(root, 'dist')
const inRepository = args.includes('--in-repository')
const wanted = args.filter((a) => a !== '--in-repository')
for (const name of wanted.length > 0 ? wanted : SERVICES) {
  if (!SERVICES.includes(name)) throw new Error(`unknown service ${name}`)
  const out = path.join(outRoot, name)
  rmSync(out, { recursive: true, force: true })
  const main = await build({
    ...common,
    // main.ts enables the instrumentations, then imports the service: split, that import stays a
    // real one, which loads the instrumented packages only after the hooks are in place.
    splitting: true,
    entryPoints: [`services/${name}/src/main.ts`],
    outdir: path.join(out, 'services', name, 'src'),
  })
  // The maps keep our code's mappings only (trim-source-map.mjs: ~60 MB of each process's heap).
  for (const file of Object.keys(main.metafile.outputs).filter((f) => f.endsWith('.map'))) {
    const map = JSON.parse(readFileSync(file, 'utf8'))
    writeFileSync(file, JSON.stringify(trimSourceMap(map, ownSourceOf(file, root, map.sourceRoot))))
  }
  const migrationsDir = `services/${name}/migrations`
  const migrations = existsSync(migrationsDir)
    ? readdirSync(migrationsDir).filter((f) => /\.ts$/.test(f) && !/\.(test|d)\.ts$/.test(f))
    : []
  let migrationImports = []
  if (migrations.length > 0) {
    const result = await build({
      ...common,
      entryPoints: migrations.map((f) => path.join(migrationsDir, f)),
      outdir: path.join(out, migrationsDir),
      sourcemap: false,
    })
    migrationImports = externalsOf(result.metafile)
  }
  // import-in-the-middle's hook is registered by name (instrument.ts): no import shows it.
  const needed = new Set([
    ...externalsOf(main.metafile),
    ...migrationImports,
    'import-in-the-middle',
  ])
  for (const pkg of inRepository ? [] : closure([...needed].filter((p) => KEEP.includes(p)))) {
    cpSync(path.join(root, 'node_modules', pkg), path.join(out, 'node_modules', pkg), {
      recursive: true,
      dereference: true,
    })
  }
  if (name === gatewayDeclaration.name) {
    const storefront = path.join(root, 'apps/storefront/dist')
    if (!existsSync(storefront) && !inRepository)
      throw new Error('build the storefront first (npm run build -w apps/storefront)')
    mkdirSync(path.join(out, 'apps/storefront'), { recursive: true })
    if (inRepository) symlinkSync(storefront, path.join(out, 'apps/storefront/dist'), 'dir')
    else cpSync(storefront, path.join(out, 'apps/storefront/dist'), { recursive: true })
  }
  writeFileSync(path.join(out, 'main.mjs'), `import './services/${name}/src/main.mjs'\n`)
  const [portVariable, defaultPort] = HEALTH_PORTS[name]
  writeFileSync(
    path.join(out, 'healthcheck.mjs'),
    [
      `// HEALTHCHECK of the ${name} image: exit 0 when /healthz answers 2xx within 3 s.`,
      `const port = process.env.${portVariable} || '${defaultPort}'`,
      'const ok = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) })',
      '  .then((r) => r.ok)',
      '  .catch(() => false)',
      'process.exit(ok ? 0 : 1)',
      '',
    ].join('\n'),
  )
  console.log(`bundled ${name}: ${[...needed].sort().join(', ') || 'no external packages'}`)
}

/**
 * The services declaration, compiled by esbuild in memory: this script runs on plain Node, which
 * does not load TypeScript, and the declaration imports nothing.
 */
async function declaration() {
  const result = await build({
    entryPoints: ['packages/contracts/src/services.ts'],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  })
  const code = Buffer.from(result.outputFiles[0].text).toString('base64')
  return import(`data:text/javascript;base64,${code}`)
}

/** The bare package names a build left external. */
function externalsOf(metafile) {
  const names = new Set()
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith('node:') || imp.path.startsWith('.')) continue
      if (builtinModules.includes(imp.path.split('/')[0])) continue
      const parts = imp.path.split('/')
      names.add(parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0])
    }
  }
  return [...names]
}

/** The packages and every dependency they install (optional ones only when present). */
function closure(packages) {
  const seen = new Set()
  const visit = (pkg, from) => {
    let manifestPath
    try {
      manifestPath = createRequire(path.join(from, 'noop.js')).resolve(`${pkg}/package.json`)
    } catch {
      // Some packages hide package.json behind `exports`: find the folder by hand.
      manifestPath = path.join(root, 'node_modules', pkg, 'package.json')
      if (!existsSync(manifestPath)) return // an optional dependency for another platform
    }
    if (seen.has(pkg)) return
    seen.add(pkg)
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
    const deps = { ...manifest.dependencies, ...manifest.optionalDependencies }
    for (const dep of Object.keys(deps)) visit(dep, path.dirname(manifestPath))
  }
  for (const pkg of packages) visit(pkg, root)
  return seen
}
