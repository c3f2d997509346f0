import { execFile, spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import { repoRoot } from '../e2e/process.js'

// The container test's view of podman: build the images with deploy/docker/build-images.sh, run
// a service's image as a container on the host network (127.0.0.1 only), inspect and stop it.

const run = promisify(execFile)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Runs `podman …` and returns its stdout; fails with its stderr. */
export async function podman(args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await run('podman', args, { timeout: timeoutMs, maxBuffer: 64 << 20 })
    return stdout
  } catch (error) {
    const e = error as { stderr?: string; message: string }
    throw new Error(`podman ${args.join(' ')}: ${e.stderr?.trim() || e.message}`, {
      cause: error,
    })
  }
}

/** Like `podman`, but resolves with the exit code instead of failing on a non-zero one. */
export async function podmanStatus(args: string[], timeoutMs = 120_000) {
  try {
    const { stdout, stderr } = await run('podman', args, { timeout: timeoutMs })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code?: number | string; stdout?: string; stderr?: string }
    if (typeof e.code !== 'number') throw error
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

/**
 * Builds the local Node base (when missing) and every service's image; returns their tag.
 * Progress goes to this process's stderr; a failure carries the script's last lines.
 */
export function buildImages(timeoutMs = 480_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['deploy/docker/build-images.sh'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000)
      process.stderr.write(d)
    })
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      const tag = stdout.trim().split('\n').at(-1) ?? ''
      if (code === 0 && tag) resolve(tag)
      else reject(new Error(`build-images.sh exited ${code ?? signal}:\n${stderr}`))
    })
  })
}

/** One service's container: started detached with `podman run`, removed by `remove()`. */
export class ServiceContainer {
  constructor(
    readonly service: string,
    readonly name: string,
    readonly image: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly extraArgs: string[] = [],
    /** Its management server's port, when it has one (the gateway): `/readyz` is there. */
    readonly managementPort?: number,
  ) {}

  get url() {
    return `http://127.0.0.1:${this.port}`
  }

  /** Where `/readyz` and `/metrics` are: the management server, else the service's own port. */
  get managementUrl() {
    return this.managementPort ? `http://127.0.0.1:${this.managementPort}` : this.url
  }

  /**
   * Host network (the service binds 127.0.0.1), read-only root with /tmp in memory, no
   * capabilities, no privilege escalation: what compose.yaml and the Kubernetes manifests ask for.
   */
  async start() {
    const env = Object.entries(this.env).flatMap(([k, v]) => ['--env', `${k}=${v}`])
    await podman([
      'run',
      '--detach',
      '--name',
      this.name,
      '--network=host',
      '--read-only',
      '--tmpfs',
      '/tmp',
      '--cap-drop=ALL',
      '--security-opt=no-new-privileges',
      '--label',
      'emporium.test=containers',
      '--label',
      `emporium.test.pid=${process.pid}`,
      ...this.extraArgs,
      ...env,
      this.image,
    ])
  }

  async inspect<T = string>(format: string): Promise<T> {
    const out = (
      await podman(['inspect', '--type', 'container', '--format', format, this.name])
    ).trim()
    return (format.includes('json') ? JSON.parse(out) : out) as T
  }

  async running(): Promise<boolean> {
    return (await this.inspect('{{.State.Running}}')) === 'true'
  }

  /** stdout and stderr of the container so far. */
  async logs(): Promise<string> {
    const { stdout, stderr } = await podmanStatus(['logs', this.name])
    return stdout + stderr
  }

  /** Waits until `/readyz` answers 200, or fails with the container's logs. */
  async ready(timeoutMs = 120_000) {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      try {
        const url = `${this.managementUrl}/readyz`
        if ((await fetch(url, { signal: AbortSignal.timeout(2_000) })).ok) return
      } catch {
        // not listening yet
      }
      if (!(await this.running())) {
        const code = await this.inspect('{{.State.ExitCode}}')
        throw new Error(`${this.service} exited ${code}:\n${await this.logs()}`)
      }
      await sleep(250)
    }
    throw new Error(`${this.service} not ready in ${timeoutMs} ms:\n${await this.logs()}`)
  }

  /** The uid and gid lines of the container's PID 1 as the host's kernel sees them. */
  async processIds(): Promise<{ uid: number[]; gid: number[] }> {
    const pid = await this.inspect('{{.State.Pid}}')
    const status = readFileSync(`/proc/${pid}/status`, 'utf8')
    const ids = (key: string) =>
      (new RegExp(`^${key}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '').split(/\s+/).map(Number)
    return { uid: ids('Uid'), gid: ids('Gid') }
  }

  /** `podman exec` as the container's own user; resolves with the exit code and output. */
  exec(...command: string[]) {
    return podmanStatus(['exec', this.name, ...command])
  }

  /**
   * `podman stop -t <grace>`: SIGTERM (the image's STOPSIGNAL), then SIGKILL after `grace`
   * seconds. Returns how long it took and how the process ended.
   */
  async stop(graceSeconds = 30) {
    const started = Date.now()
    await podman(['stop', '-t', String(graceSeconds), this.name], (graceSeconds + 30) * 1000)
    const tookMs = Date.now() - started
    const state = await this.inspect<{ ExitCode: number; OOMKilled: boolean }>('{{json .State}}')
    return { tookMs, exitCode: state.ExitCode, oomKilled: state.OOMKilled }
  }

  /** Removes the container whatever its state (never fails). */
  async remove() {
    await podmanStatus(['rm', '--force', '--time', '0', this.name]).catch(() => undefined)
  }
}

/**
 * Removes the containers and volumes a killed test run left behind: those labelled by a test
 * process that no longer exists (a run still going keeps its own).
 */
export async function removeOrphans() {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM'
    }
  }
  const orphans = async (kind: 'container' | 'volume') => {
    const format =
      kind === 'container'
        ? '{{.Names}} {{index .Labels "emporium.test.pid"}}'
        : '{{.Name}} {{index .Labels "emporium.test.pid"}}'
    const list = kind === 'container' ? ['ps', '--all'] : ['volume', 'ls']
    const out = await podman([
      ...list,
      '--filter',
      'label=emporium.test=containers',
      '--format',
      format,
    ])
    return out
      .split('\n')
      .map((line) => line.trim().split(' '))
      .filter(([name, pid]) => name && !alive(Number(pid) || 0))
      .map(([name]) => name!)
  }
  const containers = await orphans('container')
  if (containers.length > 0) await podmanStatus(['rm', '--force', '--time', '0', ...containers])
  const volumes = await orphans('volume')
  if (volumes.length > 0) await podmanStatus(['volume', 'rm', '--force', ...volumes])
}
