import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { PulseEventName, PulseEvents } from '../events/pulse-events.js';
import { SECURITY_HEADERS } from '../http/response-rules.js';
import '../heartbeats/heartbeat.events.js';
import '../maintenance/maintenance.events.js';
import '../monitors/monitor.events.js';
import '../tokens/token.events.js';
import { LiveFeed, type LiveEvent } from './live-feed.js';
import { SessionService } from './session.service.js';

/** A comment line this often keeps proxies and browsers from closing an idle stream; the session is re-checked too. */
const KEEPALIVE_MS = 15_000;
/** How long a browser waits before reconnecting a dropped stream. */
const RETRY_MS = 2_000;

interface OpenStream {
  sessionId: string;
  reply: FastifyReply;
  close(): void;
}

/**
 * The console's Server-Sent Events hub: domain events from the event bus become small topic events
 * (`monitors`, `heartbeats`, …) that pages subscribe to with `hx-trigger="sse:<topic>"` to fetch their
 * fragments again. Features forward their own events with `forward()`; the shell forwards the core ones.
 * Open streams end when their session does (checked on every keep-alive and at once when a token
 * changes) and when the server shuts down, so shutdown never waits on them.
 */
@Injectable()
export class LiveHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Console');
  readonly feed = new LiveFeed({ capacity: 1000, coalesceMs: 250 });
  private readonly streams = new Set<OpenStream>();
  private closing = false;

  constructor(
    private readonly emitter: EventEmitter2,
    private readonly sessions: SessionService,
  ) {}

  /** Publishes `topic` (with the numeric id `idOf` picks, if any) whenever `event` is emitted. */
  forward<K extends PulseEventName>(event: K, topic: string, idOf?: (payload: PulseEvents[K]) => number | undefined): void {
    this.emitter.on(event, (payload: PulseEvents[K]) => this.feed.publish(topic, idOf?.(payload)));
  }

  onModuleInit(): void {
    this.forward('monitor.state-changed', 'monitors', (event) => event.monitorId);
    this.forward('service.state-changed', 'heartbeats');
    this.forward('alarm.state-changed', 'alarms');
    // Several servers: changes another server decided reach pages open on this one too.
    this.forward('monitor.mirrored', 'monitors', (event) => event.monitorId);
    this.forward('service.mirrored', 'heartbeats');
    this.forward('alarm.mirrored', 'alarms');
    this.forward('maintenance.started', 'maintenance');
    this.forward('maintenance.ended', 'maintenance');
    // A revoked or rotated token ends its sessions: their open streams are told at once.
    this.emitter.on('token.changed', () => void this.recheckSessions());
  }

  get openStreams(): number {
    return this.streams.size;
  }

  /**
   * Streams events to one signed-in page until it goes away. `lastEventId` (the Last-Event-ID header of a
   * reconnect, or the cursor the page was rendered with) decides what is replayed first.
   */
  open(request: FastifyRequest, reply: FastifyReply, sessionId: string, lastEventId: string | undefined): void {
    if (this.closing) {
      void reply.status(503).send();
      return;
    }
    reply.hijack();
    const raw = reply.raw;
    // Hijacked: Fastify's onSend hooks do not run, so the security headers are written here.
    raw.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no', // nginx: pass events through unbuffered
    });
    raw.write(`retry: ${RETRY_MS}\n\n`);
    const send = (event: LiveEvent) => raw.write(`id: ${event.id}\nevent: ${event.topic}\ndata: ${event.data}\n\n`);

    if (lastEventId) {
      const replay = this.feed.replaySince(lastEventId);
      if ('reload' in replay) raw.write(`id: ${this.feed.cursor()}\nevent: reload\ndata: {}\n\n`);
      else replay.events.forEach(send);
    }
    const unsubscribe = this.feed.subscribe(send);
    const keepalive = setInterval(() => {
      raw.write(': keep-alive\n\n');
      void this.recheck(stream);
    }, KEEPALIVE_MS);
    const stream: OpenStream = {
      sessionId,
      reply,
      close: () => {
        if (!this.streams.delete(stream)) return;
        clearInterval(keepalive);
        unsubscribe();
        raw.end();
      },
    };
    this.streams.add(stream);
    request.raw.once('close', () => stream.close());
  }

  private async recheck(stream: OpenStream): Promise<void> {
    try {
      if (await this.sessions.stillValid(stream.sessionId)) return;
    } catch (error) {
      this.logger.warn(`could not re-check a console session: ${(error as Error).message}`);
      return;
    }
    // The page reloads, finds no session and shows the sign-in page.
    stream.reply.raw.write(`event: reload\ndata: {}\n\n`);
    stream.close();
  }

  private async recheckSessions(): Promise<void> {
    await Promise.all([...this.streams].map((stream) => this.recheck(stream)));
  }

  onModuleDestroy(): void {
    this.closing = true;
    this.feed.flush();
    for (const stream of [...this.streams]) stream.close();
  }
}
