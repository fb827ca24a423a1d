import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import net from 'node:net';
import type { Counter } from 'prom-client';
import { TcpSection } from '../config/config.schema.js';
import { StartupError } from '../runtime/startup-error.js';
import { ReadinessService } from '../health/readiness.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { clientKey } from '../runtime/client-address.js';
import { describeAddress, listenAddress } from './listen-address.js';
import { StatsdIngest } from './statsd-ingest.js';
import { TcpLineReader } from './tcp-line-reader.js';
import { StatsdSourceGate } from './trusted-sources.js';

/**
 * statsd over TCP (`[tcp] listen`, default :8127): persistent connections, lines split across reads,
 * a line-length cap, an idle timeout, and connection caps in total and per source address (an IPv6 /64
 * counts as one), so a slow or hostile client cannot hold it or lock other clients out.
 */
@Injectable()
export class StatsdTcpListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Statsd');
  private server: net.Server | null = null;
  private readonly connections = new Set<net.Socket>();
  /** Open connections per clientKey(). */
  private readonly perSource = new Map<string, number>();
  private readonly refused: Counter<'limit'>;

  constructor(
    private readonly tcp: TcpSection,
    private readonly ingest: StatsdIngest,
    private readonly gate: StatsdSourceGate,
    private readonly readiness: ReadinessService,
    metrics: MetricsService,
  ) {
    this.refused = metrics.counter({
      name: 'pulse_statsd_tcp_connections_refused_total',
      help: 'statsd TCP connections closed at once because [tcp] max_connections or max_connections_per_source were open',
      labelNames: ['limit'],
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const { host, port } = listenAddress(this.tcp.listen);
    const server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    server.maxConnections = this.tcp.max_connections;
    server.on('drop', (dropped) => {
      this.refused.inc({ limit: 'max_connections' });
      this.logger.debug(
        `refused statsd TCP connection from ${dropped?.remoteAddress}: [tcp] max_connections (${this.tcp.max_connections}) open`,
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // ":8127": no host, so Node takes :: (IPv4 too) where IPv6 exists and 0.0.0.0 where it does not.
      const everywhere = this.tcp.listen.startsWith(':');
      server.listen(everywhere ? { port } : { host, port }, () => {
        server.removeListener('error', reject);
        resolve();
      });
    }).catch((error: NodeJS.ErrnoException) => {
      throw new StartupError(
        `statsd TCP cannot listen on ${this.tcp.listen} (${error.code ?? error.message}). Set [tcp] listen (or PULSE_TCP_LISTEN) to a free address.`,
      );
    });
    server.on('error', (error) => this.logger.error(`statsd TCP server error: ${error.message}`));
    this.server = server;
    this.logger.log(`statsd TCP listening on ${describeAddress(server.address() as net.AddressInfo)}`);
    this.readiness.register('statsd_tcp', () => this.server?.listening === true);
  }

  async onModuleDestroy(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const socket of this.connections) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private accept(socket: net.Socket): void {
    const sender = { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    if (!this.gate.admits(sender.address, 'tcp')) {
      socket.destroy();
      return;
    }
    const source = clientKey(sender.address);
    const open = this.perSource.get(source) ?? 0;
    if (open >= this.tcp.max_connections_per_source) {
      this.refused.inc({ limit: 'max_connections_per_source' });
      this.logger.debug(
        `refused statsd TCP connection from ${sender.address}: [tcp] max_connections_per_source (${this.tcp.max_connections_per_source}) open from ${source}`,
      );
      socket.destroy();
      return;
    }
    this.perSource.set(source, open + 1);
    this.connections.add(socket);
    const reader = new TcpLineReader(
      this.tcp.max_line_bytes,
      (line) => this.ingest.handleLine(line, 'tcp', sender),
      (start, length) =>
        this.ingest.skip(
          { code: 'too_long', reason: `line of ${length}+ bytes is longer than [tcp] max_line_bytes (${this.tcp.max_line_bytes})` },
          start,
          'tcp',
          sender,
        ),
    );
    socket.setEncoding('latin1');
    socket.setTimeout(this.tcp.idle_timeout * 1000, () => {
      this.logger.debug(`closing idle statsd TCP connection from ${sender.address}:${sender.port}`);
      socket.destroy();
    });
    socket.on('data', (chunk: string) => reader.push(chunk));
    socket.on('end', () => {
      reader.end();
      socket.end();
    });
    socket.on('error', () => undefined); // resets by the peer are its business
    socket.on('close', () => {
      this.connections.delete(socket);
      const left = this.perSource.get(source)! - 1;
      if (left === 0) this.perSource.delete(source);
      else this.perSource.set(source, left);
    });
  }
}
