import { Logger } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { CLUSTER_CHANNEL } from './cluster-connection.js';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; the envelope takes a little. */
const MAX_PAYLOAD_BYTES = 7600;

type Handler = (data: unknown, from: string) => void;

/**
 * Tells the other servers what changed, over PostgreSQL's LISTEN/NOTIFY (so nothing but the database
 * connects the servers): a topic and a small JSON body, delivered to every other server after the
 * sending transaction commits. Used to wake the server that decides (a heartbeat forwarded to it, a
 * shard released) and to refresh what the others show. A server whose connection dropped may have
 * missed some: `onResync` handlers reload what they keep.
 */
export abstract class ClusterBus {
  /** Sends `data` on `topic` (inside `manager`'s transaction when given: only if it commits). */
  abstract publish(topic: string, data: unknown, manager?: EntityManager): Promise<void>;
  abstract subscribe<T>(topic: string, handler: (data: T, from: string) => void): void;
  abstract onResync(handler: () => void): void;

  /**
   * Sends a list in as many messages as it takes (`{[field]: items, ...extra}` each), so a long
   * list of names never exceeds the payload limit.
   */
  async publishList(topic: string, field: string, items: readonly unknown[], extra: object = {}, manager?: EntityManager): Promise<void> {
    if (items.length === 0) return;
    let chunk: unknown[] = [];
    let size = JSON.stringify(extra).length + field.length + 16;
    for (const item of items) {
      const itemSize = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (chunk.length > 0 && size + itemSize > MAX_PAYLOAD_BYTES) {
        await this.publish(topic, { ...extra, [field]: chunk }, manager);
        chunk = [];
        size = JSON.stringify(extra).length + field.length + 16;
      }
      chunk.push(item);
      size += itemSize;
    }
    await this.publish(topic, { ...extra, [field]: chunk }, manager);
  }
}

/** SQLite: one server, nobody to tell. */
export class LocalBus extends ClusterBus {
  async publish(): Promise<void> {}
  subscribe(): void {}
  onResync(): void {}
}

/** LISTEN/NOTIFY: the membership's connection listens and hands payloads to `deliver`. */
export class PostgresBus extends ClusterBus {
  private readonly logger = new Logger('Cluster');
  private readonly handlers = new Map<string, Handler[]>();
  private readonly resyncs: (() => void)[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly me: string,
  ) {
    super();
  }

  async publish(topic: string, data: unknown, manager?: EntityManager): Promise<void> {
    const payload = JSON.stringify({ f: this.me, t: topic, d: data });
    if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES + 300)
      throw new Error(`cluster message on ${topic} too long (${payload.length} bytes)`);
    await (manager ?? this.dataSource.manager).query('SELECT pg_notify($1, $2)', [CLUSTER_CHANNEL, payload]);
  }

  subscribe<T>(topic: string, handler: (data: T, from: string) => void): void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler as Handler);
    this.handlers.set(topic, list);
  }

  onResync(handler: () => void): void {
    this.resyncs.push(handler);
  }

  /** A notification arrived; this server's own are ignored. */
  deliver(payload: string): void {
    let message: { f?: unknown; t?: unknown; d?: unknown };
    try {
      message = JSON.parse(payload) as typeof message;
    } catch {
      return;
    }
    if (typeof message.f !== 'string' || typeof message.t !== 'string' || message.f === this.me) return;
    for (const handler of this.handlers.get(message.t) ?? []) {
      try {
        handler(message.d, message.f);
      } catch (error) {
        this.logger.error(`handling cluster message ${message.t} failed: ${(error as Error).message}`);
      }
    }
  }

  /** The connection came back after a gap: whatever was sent meanwhile is lost; reload. */
  resync(): void {
    for (const handler of this.resyncs) {
      try {
        handler();
      } catch (error) {
        this.logger.error(`cluster resync failed: ${(error as Error).message}`);
      }
    }
  }
}
