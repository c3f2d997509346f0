import { appendFile, mkdir } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import type { Logger } from '@emporium/platform'
import { createTransport } from 'nodemailer'
import type { OutgoingMessage, Sender } from '../app/ports.js'

/** `ada@example.com` → `a***@example.com`: enough to tell messages apart in a log. */
export function maskAddress(address: string): string {
  const at = address.lastIndexOf('@')
  if (at < 1) return address.startsWith('user:') ? address : '***'
  return `${address[0]}***${address.slice(at)}`
}

/** Development default: logs that a message went out, never its address in full or its body. */
export function createLogSender(log: Logger): Sender {
  return {
    async send(message) {
      log.info(
        { messageId: message.id, template: message.template, to: maskAddress(message.to) },
        'message sent (log sender)',
      )
    },
  }
}

/** Appends each message as one JSON line to a file (a local mailbox for demos and tests). */
export function createFileSender(path: string): Sender {
  const file = resolve(path)
  let ready: Promise<unknown> | undefined
  return {
    async send(message: OutgoingMessage) {
      ready ??= mkdir(dirname(file), { recursive: true })
      await ready
      const line = JSON.stringify({ ...message, sentAt: new Date().toISOString() })
      await appendFile(file, `${line}\n`, 'utf8')
    },
  }
}

/** Sends through an SMTP server (`smtp://user:pass@host:587`, `smtps://…:465`) with nodemailer. */
export function createSmtpSender(url: string): Sender {
  const transport = createTransport({
    url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  })
  return {
    async send(message) {
      // `user:<id>` until user.registered brings the address; the dispatcher retries later.
      if (!message.to.includes('@')) throw new Error('no e-mail address known for the recipient')
      await transport.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        // Stable across resends, so a receiver may drop the duplicate of an at-least-once send.
        messageId: `<${message.id}@emporium.notifications>`,
      })
    },
    async close() {
      transport.close()
    },
  }
}

/** The sender NOTIFICATIONS_SENDER names: `log`, `file:<path>` or an `smtp(s)://` URL. */
export function senderFromConfig(setting: string, log: Logger): Sender {
  if (setting === 'log') return createLogSender(log)
  if (setting.startsWith('file:')) return createFileSender(setting.slice('file:'.length))
  return createSmtpSender(setting)
}
