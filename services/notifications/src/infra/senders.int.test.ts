import { createServer, type Server } from 'node:net'
import type { AddressInfo } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Logger } from '@emporium/platform'
import {
  createFileSender,
  createLogSender,
  createSmtpSender,
  maskAddress,
  senderFromConfig,
} from './senders.js'
import type { OutgoingMessage } from '../app/ports.js'

const message = (id: string, to = 'ada@example.com'): OutgoingMessage => ({
  id,
  template: 'order_shipped',
  from: 'Emporium <orders@emporium.local>',
  to,
  subject: `Order ${id} has shipped`,
  text: 'Hello Ada,\n\nIt is on its way.',
})

/** Just enough of an SMTP server to take one message per connection and keep it. */
async function fakeSmtpServer() {
  const received: string[] = []
  const server: Server = createServer((socket) => {
    let data: string | undefined
    socket.write('220 fake ESMTP\r\n')
    socket.on('data', (chunk) => {
      for (const line of chunk.toString().split('\r\n')) {
        if (data !== undefined) {
          if (line === '.') {
            received.push(data)
            data = undefined
            socket.write('250 queued\r\n')
          } else data += `${line}\n`
          continue
        }
        if (line === '') continue
        const verb = line.slice(0, 4).toUpperCase()
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake\r\n')
        else if (verb === 'DATA') {
          data = ''
          socket.write('354 go ahead\r\n')
        } else if (verb === 'QUIT') socket.end('221 bye\r\n')
        else if (verb === 'RCPT' && line.includes('refuse')) socket.write('550 no such user\r\n')
        else socket.write('250 ok\r\n')
      }
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    port: (server.address() as AddressInfo).port,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

describe('infra/senders: file, log and SMTP senders', () => {
  const cleanups: Array<() => Promise<unknown>> = []
  afterAll(async () => {
    for (const cleanup of cleanups) await cleanup()
  })

  it('file sender appends one JSON line per message, creating the folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'notifications-file-'))
    cleanups.push(() => rm(dir, { recursive: true, force: true }))
    const path = join(dir, 'nested', 'mail.jsonl')
    const sender = senderFromConfig(`file:${path}`, {} as Logger)
    await sender.send(message('m1'))
    await createFileSender(path).send(message('m2'))
    const lines = (await readFile(path, 'utf8')).split('\n')
    expect(lines.at(-1)).toBe('')
    const parsed = lines.filter(Boolean).map((line) => JSON.parse(line))
    expect(parsed).toMatchObject([
      { id: 'm1', to: 'ada@example.com', subject: 'Order m1 has shipped' },
      { id: 'm2', text: 'Hello Ada,\n\nIt is on its way.', sentAt: expect.any(String) },
    ])
  })

  it('log sender logs that a message went out, never its address or body', async () => {
    const lines: Array<{ fields: Record<string, unknown>; msg: string }> = []
    const log = {
      info: (fields: Record<string, unknown>, msg: string) => lines.push({ fields, msg }),
    }
    await createLogSender(log as unknown as Logger).send(message('m3'))
    expect(lines).toEqual([
      {
        fields: { messageId: 'm3', template: 'order_shipped', to: 'a***@example.com' },
        msg: 'message sent (log sender)',
      },
    ])
    expect(JSON.stringify(lines)).not.toContain('ada@')
    expect(JSON.stringify(lines)).not.toContain('on its way')
    expect(maskAddress('user:u-1')).toBe('user:u-1')
    expect(maskAddress('nonsense')).toBe('***')
  })

  it('SMTP sender hands the message to the server with a stable Message-ID', async () => {
    const smtp = await fakeSmtpServer()
    cleanups.push(smtp.stop)
    const sender = createSmtpSender(`smtp://127.0.0.1:${smtp.port}`)
    cleanups.push(async () => sender.close?.())
    await sender.send(message('m4'))
    expect(smtp.received).toHaveLength(1)
    expect(smtp.received[0]).toContain('Subject: Order m4 has shipped')
    expect(smtp.received[0]).toContain('To: ada@example.com')
    expect(smtp.received[0]).toContain('Message-ID: <m4@emporium.notifications>')
    expect(smtp.received[0]).toContain('It is on its way.')
  })

  it('SMTP sender fails on a refused recipient and on an address not known yet', async () => {
    const smtp = await fakeSmtpServer()
    cleanups.push(smtp.stop)
    const sender = createSmtpSender(`smtp://127.0.0.1:${smtp.port}`)
    cleanups.push(async () => sender.close?.())
    await expect(sender.send(message('m5', 'refuse@example.com'))).rejects.toThrow()
    await expect(sender.send(message('m6', 'user:u-1'))).rejects.toThrow(/no e-mail address/)
    expect(smtp.received).toHaveLength(0)
  })
})
