// `npm run start:distributed`: one process per service against real PostgreSQL, MariaDB, Redis
// and RabbitMQ, with the environment from `.env` (or `.env.example`). Each service's output is
// prefixed with its name; Ctrl-C stops them all gracefully (SIGTERM to each).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { createInterface } from 'node:readline'

const envFile = existsSync('.env') ? '.env' : '.env.example'
process.loadEnvFile(envFile)
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

// Resolves once the service logs that it listens (or after 60 s, or when it exits), so that the
// gateway starts after its upstreams.
function startService(name: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: Ctrl-C in the terminal reaches only this launcher, which sends
    // each service one SIGTERM (a second signal would make a service skip its drain).
    detached: true,
  })
  children.push(child)
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 60_000)
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        console.log(`[${name}] ${line}`)
        if (line.includes(`${name} listening`)) {
          clearTimeout(timer)
          resolve()
        }
      })
    }
    child.on('exit', (code, signal) => {
      console.log(`[${name}] exited (${signal ?? code})`)
      clearTimeout(timer)
      resolve()
      if (!stopping) stopAll(1)
    })
  })
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
