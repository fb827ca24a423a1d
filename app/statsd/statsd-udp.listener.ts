import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { PULSE_LOGGER } from '../config/config.module.js';
import { HeartbeatSection, StatsdSection, UdpSection } from '../config/config.schema.js';
import { ReadinessService } from '../health/readiness.service.js';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { StartupError } from '../runtime/startup-error.js';
import { describeAddress } from './listen-address.js';
import { ReceiveWorker, ReceiveWorkerFailed } from './receive-worker.js';
import { StatsdIngest, type ReceiveChannel } from './statsd-ingest.js';
import { StatsdReceiver, receiverSettingsFor, type ReceiverSettings } from './statsd-receiver.js';
import { nodeSharesUdpPorts, openUdpSocket, udpAddressFree, type OpenUdpSocket, type UdpSocketSettings } from './udp-receiver.js';

/** A worker that ended unexpectedly is replaced after this long. */
const RESTART_DELAY_MS = 1000;

/**
 * statsd over UDP (`[udp] listen`, default :8127). Received and parsed in `[udp] workers` worker threads
 * (two by default; several share the port with SO_REUSEPORT where Node supports it, else one), so the sockets are
 * drained whatever the main thread is doing; `workers = 0` receives on the main thread. The receive
 * buffer is raised for bursts; what the kernel still drops shows in /proc/net/snmp RcvbufErrors.
 */
@Injectable()
export class StatsdUdpListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Statsd');
  /** The receive workers, bound or not yet. */
  private readonly workers = new Set<ReceiveWorker>();
  /** With `[udp] workers = 0`: the socket and receiver on the main thread. */
  private mainThread: { opened: OpenUdpSocket; receiver: StatsdReceiver } | null = null;
  private stopped = false;
  /** `[udp] workers`, or 1 where this Node cannot share a port between sockets. */
  private readonly count: number;

  constructor(
    private readonly udp: UdpSection,
    private readonly heartbeat: HeartbeatSection,
    private readonly statsd: StatsdSection,
    private readonly ingest: StatsdIngest,
    private readonly readiness: ReadinessService,
    @Inject(PULSE_LOGGER) private readonly pulseLogger: PulseLogger,
  ) {
    this.count = udp.workers > 1 && !nodeSharesUdpPorts() ? 1 : udp.workers;
    // The threads boot while the rest of the server starts; they bind in onApplicationBootstrap.
    for (let index = 0; index < this.count; index++) this.workers.add(this.spawn());
  }

  async onApplicationBootstrap(): Promise<void> {
    const wanted = this.udp.receive_buffer_bytes;
    const count = this.count;
    if (count < this.udp.workers)
      this.logger.log(
        `[udp] workers = ${this.udp.workers}, but Node ${process.version} cannot share a UDP port between sockets (SO_REUSEPORT, Node 22.12 on): receiving with one worker`,
      );
    const settings: UdpSocketSettings = { listen: this.udp.listen, receiveBufferBytes: wanted, reusePort: count > 1 };
    let address: AddressInfo;
    let granted: number;
    if (count === 0) {
      const channel = this.ingest.channel('udp');
      const receiver = new StatsdReceiver(this.receiverSettings(), channel.apply, channel.appliedLines);
      const opened = await openUdpSocket(settings, receiver).catch((error) => this.refuse(error));
      opened.socket.on('error', (error) => this.logger.error(`statsd UDP socket error: ${error.message}`));
      this.mainThread = { opened, receiver };
      ({ address, receiveBufferBytes: granted } = opened);
    } else {
      // SO_REUSEPORT would let these sockets join another process's on the same port: make sure there is none.
      if (count > 1) await udpAddressFree(settings).catch((error) => this.refuse(error));
      const [first, ...others] = [...this.workers];
      await first!.bind({ udp: settings }).catch((error) => this.refuse(error));
      ({ address } = first!);
      granted = first!.receiveBufferBytes ?? 0;
      for (const worker of others) {
        const failed = await worker.bind({ udp: { ...settings, port: address.port } }).then(
          () => null,
          (error: Error) => error,
        );
        if (failed instanceof ReceiveWorkerFailed && failed.code === 'EADDRINUSE') {
          this.logger.warn(
            `[udp] workers = ${count}: the operating system would not share the UDP port between sockets; receiving with one worker`,
          );
          for (const unbound of others) {
            this.workers.delete(unbound);
            await unbound.close();
          }
          break;
        }
        if (failed) this.refuse(failed);
      }
    }
    this.logger.log(
      `statsd UDP listening on ${describeAddress(address)} (${count === 0 ? 'on the main thread' : `${this.workers.size} receive worker${this.workers.size === 1 ? '' : 's'}`})`,
    );
    // Linux reports twice the size asked for (its bookkeeping share); less than asked means rmem_max capped it.
    if (granted < wanted) {
      this.logger.warn(
        `statsd UDP receive buffer is ${granted} bytes, less than [udp] receive_buffer_bytes = ${wanted}: ` +
          `raise net.core.rmem_max (sysctl -w net.core.rmem_max=${wanted}) so bursts are not dropped`,
      );
    }
    this.readiness.register('statsd_udp', () => !this.stopped && (this.mainThread !== null || this.workers.size > 0));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    const mainThread = this.mainThread;
    this.mainThread = null;
    // Each receiver reads what is already waiting and hands over its last batch before the engine's final save.
    await Promise.all([
      mainThread?.opened.close().then(() => mainThread.receiver.flush()),
      ...[...this.workers].map((worker) => worker.close()),
    ]);
    this.workers.clear();
  }

  private receiverSettings(): ReceiverSettings {
    return receiverSettingsFor('udp', { heartbeat: this.heartbeat, statsd: this.statsd }, this.pulseLogger.isEnabled('debug'));
  }

  /** A receive worker with its own channel (its own name numbering) into the engine; replaced if it ends. */
  private spawn(): ReceiveWorker {
    const channel = this.ingest.channel('udp');
    const worker: ReceiveWorker = ReceiveWorker.spawn(
      { receiver: this.receiverSettings(), applied: channel.applied },
      {
        batch: channel.apply,
        lag: (maxMs) => this.ingest.noteLag('udp', maxMs),
        error: (message) => this.logger.error(message),
        exited: (reason) => {
          this.workers.delete(worker);
          if (this.stopped) return;
          this.logger.error(`statsd UDP receive worker ended (${reason}); starting another`);
          const settings: UdpSocketSettings = {
            listen: this.udp.listen,
            port: worker.address.port,
            receiveBufferBytes: this.udp.receive_buffer_bytes,
            reusePort: this.count > 1,
          };
          setTimeout(() => this.restart(settings), RESTART_DELAY_MS);
        },
      },
    );
    return worker;
  }

  private restart(settings: UdpSocketSettings): void {
    if (this.stopped) return;
    const worker = this.spawn();
    this.workers.add(worker);
    worker.bind({ udp: settings }).catch(async (error: Error) => {
      this.workers.delete(worker);
      await worker.close();
      this.logger.error(`statsd UDP receive worker could not start again (${error.message}); retrying`);
      setTimeout(() => this.restart(settings), RESTART_DELAY_MS);
    });
  }

  private refuse(error: unknown): never {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(
      `statsd UDP cannot listen on ${this.udp.listen} (${code}). Set [udp] listen (or PULSE_UDP_LISTEN) to a free address.`,
    );
  }
}
