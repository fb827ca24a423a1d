import type { LoggerService } from '@nestjs/common';
import path from 'node:path';
import type { LinkConfig } from '../config/remote-config.schema.js';
import { ROLES, type Role } from '../runtime/roles.js';
import { PULSE_VERSION } from '../runtime/version.js';
import type { SchedulerTimers } from '../scheduler/timers.js';
import { count, counted } from './backoff.js';
import { BatchSender, type BatchSenderOptions, type LinkStats } from './batch-sender.js';
import { DiskOutbox, type DropReason } from './disk-outbox.js';
import { DropReport } from './drop-report.js';
import { ServerClient } from './server-client.js';

export interface OpenLinkOptions {
  /** The role's configuration: server, token, TLS, data_dir and the outbox limits. */
  config: LinkConfig & { token: string; data_dir: string };
  role: Exclude<Role, 'server'>;
  /** Where batches go (`/api/poller/results`), under which key (`results`), and what they are in log lines. */
  path: string;
  itemsKey: string;
  noun: string;
  logger: LoggerService;
  onTokenRefused?: BatchSenderOptions['onTokenRefused'];
  onDelivered?: BatchSenderOptions['onDelivered'];
  timers?: SchedulerTimers;
  /** Batch window (5 s) and size (500); tests and benchmarks change them. */
  flushIntervalMs?: number;
  maxItems?: number;
}

/**
 * What both remote roles use to reach the server: the client (token, TLS), the disk outbox under
 * `<data_dir>/outbox` (bounded by `outbox_max_mb` and `outbox_max_age_hours`) and the batch sender.
 * Role-neutral: it sends JSON items to a path; the role decides what the items are.
 */
export class Link {
  private constructor(
    readonly client: ServerClient,
    readonly outbox: DiskOutbox,
    readonly sender: BatchSender,
    private readonly drops: DropReport,
  ) {}

  static open(options: OpenLinkOptions): Link {
    const { config, logger, noun } = options;
    const client = new ServerClient({
      server: config.server,
      token: config.token,
      caFile: config.ca_file,
      insecureSkipVerify: config.insecure_skip_verify,
      userAgent: `${ROLES[options.role].executable}/${PULSE_VERSION}`,
    });
    const maxBytes = config.outbox_max_mb * 1024 * 1024;
    const say = (amount: number, reason: DropReason) => {
      const total = count(outbox.dropped);
      const what: Record<DropReason, string> = {
        size: `outbox full (${config.outbox_max_mb} MiB): dropped the oldest ${counted(amount, noun)} (${total} dropped in all)`,
        age: `dropped ${counted(amount, noun)} older than ${config.outbox_max_age_hours} h (${total} dropped in all)`,
        unreadable: `dropped ${count(amount)} unreadable line(s) from the outbox (${total} dropped in all)`,
        refused: `${counted(amount, noun)} refused by the server dropped (${total} dropped in all)`,
      };
      logger.warn(what[reason], 'Link');
    };
    const drops = new DropReport(say, options.timers);
    const outbox = DiskOutbox.open({
      dir: path.join(config.data_dir, 'outbox'),
      maxBytes,
      maxAgeMs: config.outbox_max_age_hours * 3_600_000,
      now: options.timers?.now,
      onDrop: (amount, reason) => drops.note(amount, reason),
    });
    const sender = new BatchSender({
      transport: client,
      outbox,
      path: options.path,
      itemsKey: options.itemsKey,
      noun,
      logger,
      onTokenRefused: options.onTokenRefused,
      onDelivered: options.onDelivered,
      timers: options.timers,
      flushIntervalMs: options.flushIntervalMs,
      maxItems: options.maxItems,
    });
    return new Link(client, outbox, sender, drops);
  }

  start(): void {
    this.sender.start();
  }

  /** Queues one item on disk and sends it within the batch window. */
  enqueue(item: unknown): void {
    this.sender.enqueue(item);
  }

  stats(): LinkStats {
    return this.sender.stats();
  }

  /**
   * Stops sending, writes the outbox to disk and closes connections. With `flushMs`, what is queued is
   * sent first if the server answers within that time (a clean stop leaves nothing behind); whatever is
   * left stays in the outbox for the next start.
   */
  async close(options: { flushMs?: number } = {}): Promise<void> {
    if (options.flushMs) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.sender.flush().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, options.flushMs))),
      ]).finally(() => clearTimeout(timer));
    }
    await this.sender.stop();
    this.drops.flush();
    this.outbox.close();
    this.client.close();
  }
}
