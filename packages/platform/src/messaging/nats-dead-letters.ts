import {
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  type StoredMsg,
} from '@nats-io/jetstream'
import { AppError } from '../errors.js'
import type { DeadLetter, DeadLetters } from './bus.js'
import { natsHeaderNames as h, parseNatsEnvelope, replayHeaders } from './nats-message.js'
import type { NatsNames } from './nats-topology.js'

export interface NatsApi {
  js: JetStreamClient
  jsm: JetStreamManager
}

/**
 * Dead-letter operations on a consumer's dead-letter stream. Listing reads stored messages by
 * sequence (nothing is taken or hidden meanwhile); a replay publishes the message to the
 * consumer's replay subject, waits for the events stream's acknowledgement, and only then
 * deletes it from the dead-letter stream: never lost in between.
 */
export function createNatsDeadLetters(
  api: () => Promise<NatsApi>,
  names: NatsNames,
  publishTimeoutMs: number,
): DeadLetters {
  async function withDlq<T>(
    consumer: string,
    work: (read: () => AsyncGenerator<StoredMsg>, nats: NatsApi, stream: string) => Promise<T>,
  ): Promise<T> {
    const nats = await api()
    const stream = names.dlqStream(consumer)
    const info = await nats.jsm.streams.info(stream).catch((error: unknown) => {
      if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound) {
        throw new AppError(
          'not_found',
          'BUS.NO_DEAD_LETTER_QUEUE',
          `no dead-letter stream ${stream}`,
        )
      }
      throw error
    })
    const subject = names.dlqSubject(consumer)
    return work(() => read(nats, stream, subject, info.state.last_seq), nats, stream)
  }

  // Bounded by the last sequence read first: messages dead-lettered meanwhile wait.
  async function* read(nats: NatsApi, stream: string, subject: string, lastSeq: number) {
    let seq = 1
    while (seq <= lastSeq) {
      const message = await nats.jsm.streams.getMessage(stream, {
        seq,
        next_by_subj: subject,
      } as unknown as { seq: number })
      if (!message || message.seq > lastSeq) return
      yield message
      seq = message.seq + 1
    }
  }

  return {
    list(consumer) {
      return withDlq(consumer, async (read) => {
        const letters: DeadLetter[] = []
        for await (const message of read()) {
          letters.push(toDeadLetter(consumer, message))
        }
        return letters
      })
    },

    replay(consumer, ids) {
      const wanted = ids ? new Set(ids) : undefined
      return withDlq(consumer, async (read, nats, stream) => {
        let replayed = 0
        for await (const message of read()) {
          if (wanted && !wanted.has(idOf(message))) continue
          await nats.js.publish(names.replaySubject(consumer), message.data, {
            headers: replayHeaders(message.header, consumer),
            timeout: publishTimeoutMs,
          })
          await nats.jsm.streams.deleteMessage(stream, message.seq, false)
          replayed++
        }
        return replayed
      })
    },

    purge(consumer) {
      return withDlq(consumer, async (_, nats, stream) => {
        const { purged } = await nats.jsm.streams.purge(stream)
        return purged
      })
    },
  }
}

function idOf(message: StoredMsg): string {
  return message.header?.get(h.id) || (parseNatsEnvelope(message.data)?.id ?? '')
}

function toDeadLetter(consumer: string, message: StoredMsg): DeadLetter {
  const header = (name: string) => message.header?.get(name) ?? ''
  const envelope = parseNatsEnvelope(message.data) ?? {
    // A body that is not JSON is kept raw so the operator can still see it.
    id: idOf(message),
    type: header(h.type),
    version: 0,
    occurredAt: '',
    source: header(h.source),
    correlationId: header(h.correlationId),
    data: Buffer.from(message.data).toString('utf8'),
  }
  return {
    id: idOf(message),
    consumer,
    envelope,
    error: header(h.lastError),
    attempts: Number(header(h.attempt) || 0),
    deadLetteredAt: header(h.deadLetteredAt),
  }
}
