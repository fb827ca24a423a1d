import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PULSE_LOGGER } from '../config/config.module.js';
import { HeartbeatSection, StatsdSection, TcpSection } from '../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { StartupError } from '../runtime/startup-error.js';
import { describeAddress } from './listen-address.js';
import { ReceiveWorker } from './receive-worker.js';
import { StatsdIngest } from './statsd-ingest.js';
import { StatsdReceiver, receiverSettingsFor, type ReceiverSettings } from './statsd-receiver.js';
import { StatsdTcpServer, type TcpServerSettings } from './tcp-receiver.js';

const RESTART_DELAY_MS = 1000;

/**
 * statsd over TCP (`[tcp] listen`, default :8127): the connections are read and their lines parsed in a
 * worker thread (`[tcp] worker = false`: on the main thread), with the connection caps, idle timeout
 * and line cap of StatsdTcpServer.
 */
@Injectable()
export class StatsdTcpListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Statsd');
  private worker: ReceiveWorker | null = null;
  private server: StatsdTcpServer | null = null;
  /** With `[tcp] worker = false`: the receiver on the main thread. */
  private receiver: StatsdReceiver | null = null;
  private stopped = false;

  constructor(
    private readonly tcp: TcpSection,
    private readonly heartbeat: HeartbeatSection,
    private readonly statsd: StatsdSection,
    private readonly ingest: StatsdIngest,
    private readonly readiness: ReadinessService,
    @Inject(PULSE_LOGGER) private readonly pulseLogger: PulseLogger,
  ) {
    // The thread boots while the rest of the server starts; it listens in onApplicationBootstrap.
    if (tcp.worker) this.worker = this.spawn();
  }

  async onApplicationBootstrap(): Promise<void> {
    const { listen, max_connections, max_connections_per_source, idle_timeout, max_line_bytes } = this.tcp;
    const settings: TcpServerSettings = { listen, max_connections, max_connections_per_source, idle_timeout, max_line_bytes };
    let where: string;
    if (this.worker) {
      await this.worker.bind({ tcp: settings }).catch((error) => this.refuse(error));
      where = describeAddress(this.worker.address);
    } else {
      const channel = this.ingest.channel('tcp');
      const receiver = new StatsdReceiver(this.receiverSettings(), channel.apply, channel.appliedLines);
      this.server = await StatsdTcpServer.open(settings, receiver).catch((error) => this.refuse(error));
      this.receiver = receiver;
      this.server.server.on('error', (error) => this.logger.error(`statsd TCP server error: ${error.message}`));
      where = `${describeAddress(this.server.address())} (on the main thread)`;
    }
    this.logger.log(`statsd TCP listening on ${where}`);
    this.readiness.register('statsd_tcp', () => !this.stopped && (this.worker !== null || this.server?.server.listening === true));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    // Both read what their connections already sent and hand over the last batch before the engine's final save.
    const receiver = this.receiver;
    await Promise.all([this.worker?.close(), this.server?.close().then(() => receiver?.flush())]);
    this.worker = null;
    this.server = null;
    this.receiver = null;
  }

  private receiverSettings(): ReceiverSettings {
    return receiverSettingsFor('tcp', { heartbeat: this.heartbeat, statsd: this.statsd }, this.pulseLogger.isEnabled('debug'));
  }

  /** The receive worker with its channel into the engine; replaced on the same port if it ends. */
  private spawn(): ReceiveWorker {
    const channel = this.ingest.channel('tcp');
    const worker: ReceiveWorker = ReceiveWorker.spawn(
      { receiver: this.receiverSettings(), applied: channel.applied },
      {
        batch: channel.apply,
        lag: (maxMs) => this.ingest.noteLag('tcp', maxMs),
        error: (message) => this.logger.error(message),
        exited: (reason) => {
          this.worker = null;
          if (this.stopped) return;
          this.logger.error(`statsd TCP receive worker ended (${reason}); starting another`);
          const { listen, max_connections, max_connections_per_source, idle_timeout, max_line_bytes } = this.tcp;
          const settings = { listen, max_connections, max_connections_per_source, idle_timeout, max_line_bytes, port: worker.address.port };
          setTimeout(() => this.restart(settings), RESTART_DELAY_MS);
        },
      },
    );
    return worker;
  }

  private restart(settings: TcpServerSettings): void {
    if (this.stopped) return;
    const worker = this.spawn();
    this.worker = worker;
    worker.bind({ tcp: settings }).catch(async (error: Error) => {
      this.worker = null;
      await worker.close();
      this.logger.error(`statsd TCP receive worker could not start again (${error.message}); retrying`);
      setTimeout(() => this.restart(settings), RESTART_DELAY_MS);
    });
  }

  private refuse(error: unknown): never {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(
      `statsd TCP cannot listen on ${this.tcp.listen} (${code}). Set [tcp] listen (or PULSE_TCP_LISTEN) to a free address.`,
    );
  }
}
