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
  const child = spawn(process.execPath, ['--import', 'tsx', `services/${name}/src/main.ts`], {
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream! }).on('line', (line) => console.log(`[${name}] ${line}`))
  }
  child.on('exit', (code, signal) => {
    console.log(`[${name}] exited (${signal ?? code})`)
    if (!stopping) stopAll(1)
  })
  children.push(child)
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
