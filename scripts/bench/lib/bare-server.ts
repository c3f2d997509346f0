// The ceiling reference: a bare fastify JSON route, nothing else (no logging, hooks or schema).
// `node --import tsx scripts/bench/lib/bare-server.ts <port>`
import Fastify from 'fastify'

const port = Number(process.argv[2])
const app = Fastify({ logger: false })
app.get('/json', async () => ({ hello: 'world' }))
app.get('/healthz', async () => ({ status: 'ok' }))
await app.listen({ port, host: '127.0.0.1' })
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)))
