// `npm run start:distributed`: one process per service against real PostgreSQL, MariaDB, Redis
// and RabbitMQ, with the environment from `.env` (or `.env.example`) over what the services'
// declarations imply (scripts/distributed-env.ts). Each service's output is prefixed with its
// name; Ctrl-C stops them all gracefully (SIGTERM to each).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createInterface } from 'node:readline'
import { distributedEnvironment } from './distributed-env.js'

const envFile = existsSync('.env') ? '.env' : '.env.example'
// A variable already set in the shell wins, as with process.loadEnvFile.
for (const [key, value] of Object.entries(distributedEnvironment(readFileSync(envFile, 'utf8')))) {
  process.env[key] ??= value
}
console.log(`start:distributed: environment from ${envFile}`)

// Every service with a standalone entry; the gateway last, once its upstreams listen.
const services = readdirSync('services')
  .filter((name) => existsSync(`services/${name}/src/main.ts`))
  .sort((a, b) => Number(a === 'gateway') - Number(b === 'gateway') || a.localeCompare(b))

const children: ChildProcess[] = []
let stopping = false
for (const name of services) {
  await startService(name)
}

// Resolves once the service answers `/healthz` on its port (`<NAME>_PORT`, the gateway's `PORT`),
// or after 60 s, or when it exits: the gateway starts after its upstreams.
function startService(name: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in the terminal reaches only this launcher, which sends
    // each service one SIGTERM (a second signal would make a service skip its drain).
    detached: true,
  })
  children.push(child)
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => console.log(`[${name}] ${line}`))
  }
  child.on('exit', (code, signal) => {
    console.log(`[${name}] exited (${signal ?? code})`)
    if (!stopping) stopAll(1)
  })
  const port = process.env[name === 'gateway' ? 'PORT' : `${name.toUpperCase()}_PORT`]
  return port ? untilHealthy(`http://127.0.0.1:${port}/healthz`, child) : Promise.resolve()
}

async function untilHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200))
  }
}

function stopAll(code: number) {
  stopping = true
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM')
  const done = () => children.every((c) => c.exitCode !== null || c.signalCode !== null)
  const timer = setInterval(() => {
    if (done()) {
      clearInterval(timer)
      process.exit(code)
    }
  }, 100)
}
process.on('SIGINT', () => stopAll(0))
process.on('SIGTERM', () => stopAll(0))
