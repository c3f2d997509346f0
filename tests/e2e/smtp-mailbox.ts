import { SMTPServer } from 'smtp-server'

/** A message as the test's SMTP server received it. */
export interface Mail {
  to: string[]
  subject: string
  text: string
}

/**
 * A real SMTP server on 127.0.0.1 (no TLS, no authentication), keeping each message's recipients,
 * subject and decoded text: the platform's notifications service sends to it through nodemailer
 * exactly as it would to a mail relay (the set-up of accounts.int.test.ts, for other suites).
 */
export async function startSmtp(port: number) {
  const received: Mail[] = []
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          ...parseMessage(Buffer.concat(chunks).toString('utf8')),
        })
        callback()
      })
    },
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })

  /** The newest message to `to` whose subject `subject` matches, waited for (no fixed sleep). */
  async function mailTo(to: string, subject: string | RegExp, timeoutMs = 60_000): Promise<Mail> {
    const deadline = Date.now() + timeoutMs
    const matches = (s: string) => (typeof subject === 'string' ? s === subject : subject.test(s))
    for (;;) {
      const mail = received.filter((m) => m.to.includes(to) && matches(m.subject)).at(-1)
      if (mail) return mail
      if (Date.now() > deadline) {
        throw new Error(`no "${String(subject)}" to ${to}: ${JSON.stringify(received)}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  return {
    received,
    mailTo,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
export type SmtpMailbox = Awaited<ReturnType<typeof startSmtp>>

/** Subject and text of a single-part plain-text message (7bit or quoted-printable). */
export function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.indexOf('\r\n\r\n')
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ')
  const body = raw.slice(split + 4)
  const header = (name: string) =>
    new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? ''
  const text = /quoted-printable/i.test(header('Content-Transfer-Encoding'))
    ? Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
        'latin1',
      ).toString('utf8')
    : body
  return { subject: header('Subject'), text: text.replace(/\r\n/g, '\n') }
}
