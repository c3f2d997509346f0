import { connect } from 'node:net'

/**
 * A port on 127.0.0.1 that nothing listens on, and nothing of a test run will: a privileged one
 * that refuses connections (checked). A port a test's server just let go is not one: servers
 * listening on port 0 are handed freed ports again, and a test in another file then met that
 * server's answers instead of a refused connection (the gateway's, in CI).
 */
export async function closedPort(): Promise<number> {
  for (const port of [9, 1, 7, 13, 17, 19, 37, 79]) {
    if (await refuses(port)) return port
  }
  throw new Error('no closed privileged port on 127.0.0.1')
}

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' })
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}
