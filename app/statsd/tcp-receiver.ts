import net from 'node:net';
import { clientKey } from '../runtime/client-address.js';
import { listenAddress } from './listen-address.js';
import { DRAIN_LIMIT_MS, untilQuiet } from './quiet-turn.js';
import type { StatsdReceiver } from './statsd-receiver.js';
import { TcpLineReader } from './tcp-line-reader.js';

/** `[tcp]` as plain data (it crosses into the receive worker). */
export interface TcpServerSettings {
  listen: string;
  max_connections: number;
  max_connections_per_source: number;
  idle_timeout: number;
  max_line_bytes: number;
  /** Listen on this port instead of the one in `listen` (a restarted worker keeps its port). */
  port?: number;
}

/** While the engine is behind, connections are not read; this often the backlog is looked at again. */
const BACKLOG_POLL_MS = 10;

/**
 * statsd over TCP: persistent connections, lines split across reads, a line-length cap, an idle timeout,
 * and connection caps in total and per source address (an IPv6 /64 counts as one), so a slow or hostile
 * client cannot hold it or lock other clients out. When the engine falls too far behind (the receiver's
 * backlog limit), no connection is read until it catches up: TCP slows the senders down and nothing is lost.
 */
export class StatsdTcpServer {
  private readonly connections = new Set<net.Socket>();
  /** Open connections per clientKey(). */
  private readonly perSource = new Map<string, number>();
  private paused = false;
  /** Connections taken and reads so far, so a shutdown can tell when nothing more is waiting. */
  private activity = 0;
  private resumeTimer: NodeJS.Timeout | null = null;

  private constructor(
    readonly server: net.Server,
    private readonly settings: TcpServerSettings,
    private readonly receiver: StatsdReceiver,
  ) {}

  /** Listens on `[tcp] listen`; rejects with the listen error. */
  static async open(settings: TcpServerSettings, receiver: StatsdReceiver): Promise<StatsdTcpServer> {
    const server = net.createServer({ noDelay: true });
    const tcp = new StatsdTcpServer(server, settings, receiver);
    server.on('connection', (socket) => tcp.accept(socket));
    server.maxConnections = settings.max_connections;
    server.on('drop', (dropped) => {
      receiver.batch.refuseConnection('max_connections');
      receiver.log(
        `refused statsd TCP connection from ${dropped?.remoteAddress}: [tcp] max_connections (${settings.max_connections}) open`,
      );
    });
    const { host } = listenAddress(settings.listen);
    const port = settings.port ?? listenAddress(settings.listen).port;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // ":8127": no host, so Node takes :: (IPv4 too) where IPv6 exists and 0.0.0.0 where it does not.
      server.listen(settings.listen.startsWith(':') ? { port } : { host, port }, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    return tcp;
  }

  address(): net.AddressInfo {
    return this.server.address() as net.AddressInfo;
  }

  /**
   * Takes the connections already waiting and reads what they have sent (unless paused: the engine is
   * behind), then stops listening and closes them. The receiver's batch is the caller's to flush.
   */
  async close(): Promise<void> {
    if (!this.paused) await untilQuiet(() => this.activity, DRAIN_LIMIT_MS);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    if (this.resumeTimer) clearInterval(this.resumeTimer);
    for (const socket of this.connections) socket.destroy();
    await closed;
  }

  private accept(socket: net.Socket): void {
    this.activity++;
    const sender = { address: socket.remoteAddress ?? '?', port: socket.remotePort ?? 0 };
    if (!this.receiver.admits(sender.address)) {
      socket.destroy();
      return;
    }
    const source = clientKey(sender.address);
    const open = this.perSource.get(source) ?? 0;
    if (open >= this.settings.max_connections_per_source) {
      this.receiver.batch.refuseConnection('max_connections_per_source');
      this.receiver.log(
        `refused statsd TCP connection from ${sender.address}: [tcp] max_connections_per_source (${this.settings.max_connections_per_source}) open from ${source}`,
      );
      socket.destroy();
      return;
    }
    this.perSource.set(source, open + 1);
    this.connections.add(socket);
    const receiver = this.receiver;
    const maxLineBytes = this.settings.max_line_bytes;
    const reader = new TcpLineReader(
      maxLineBytes,
      (line) => receiver.line(line, sender),
      (start, length) =>
        receiver.skip(
          { code: 'too_long', reason: `line of ${length}+ bytes is longer than [tcp] max_line_bytes (${maxLineBytes})` },
          start,
          sender,
        ),
    );
    socket.setEncoding('latin1');
    socket.setTimeout(this.settings.idle_timeout * 1000, () => {
      receiver.log(`closing idle statsd TCP connection from ${sender.address}:${sender.port}`);
      socket.destroy();
    });
    socket.on('data', (chunk: string) => {
      this.activity++;
      reader.push(chunk);
      receiver.flushSoon();
      if (!this.paused && receiver.overloaded) this.pause();
    });
    socket.on('end', () => {
      this.activity++;
      reader.end();
      receiver.flushSoon();
      socket.end();
    });
    socket.on('error', () => undefined); // resets by the peer are its business
    socket.on('close', () => {
      this.connections.delete(socket);
      const left = this.perSource.get(source)! - 1;
      if (left === 0) this.perSource.delete(source);
      else this.perSource.set(source, left);
    });
    if (this.paused) socket.pause();
  }

  private pause(): void {
    this.paused = true;
    for (const socket of this.connections) socket.pause();
    this.resumeTimer = setInterval(() => {
      // Resumes once the engine has caught up half way, so connections do not flap on the line.
      if (this.receiver.backlog > this.receiver.backlogLimit / 2) return;
      clearInterval(this.resumeTimer!);
      this.resumeTimer = null;
      this.paused = false;
      for (const socket of this.connections) socket.resume();
    }, BACKLOG_POLL_MS);
  }
}
