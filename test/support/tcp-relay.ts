import net from 'node:net';

/**
 * A TCP relay on loopback in front of a peer (PostgreSQL), so a test can cut one client off without
 * touching the peer or anybody else: `freeze()` stops passing bytes both ways while every connection stays
 * open — to both ends it looks like a network that went silent (no reset, no close), the hardest case —
 * and `thaw()` passes what was held back and carries on. A connection one end closes while frozen stays
 * open at the other end until the thaw. New connections while frozen are held too.
 */
export class TcpRelay {
  private frozen = false;
  private readonly held: (() => void)[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
  ) {}

  static async start(targetPort: number, targetHost = '127.0.0.1'): Promise<TcpRelay> {
    let relay!: TcpRelay;
    const server = net.createServer((client) => relay.accept(client, targetHost, targetPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    relay = new TcpRelay(server, (server.address() as net.AddressInfo).port);
    return relay;
  }

  freeze(): void {
    this.frozen = true;
  }

  thaw(): void {
    this.frozen = false;
    for (const release of this.held.splice(0)) release();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket, host: string, port: number): void {
    const upstream = net.connect({ host, port });
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    this.pipe(client, upstream);
    this.pipe(upstream, client);
    // While frozen a close does not get through either: the other end keeps waiting, as across a cut network.
    const closeOther = (other: net.Socket) => () => (this.frozen ? this.held.push(() => other.destroy()) : other.destroy());
    client.on('close', closeOther(upstream));
    upstream.on('close', closeOther(client));
  }

  /** Passes data from `from` to `to`, holding it back (in order) while frozen. */
  private pipe(from: net.Socket, to: net.Socket): void {
    from.on('data', (chunk: Buffer) => {
      if (!this.frozen) {
        to.write(chunk);
        return;
      }
      from.pause();
      this.held.push(() => {
        to.write(chunk);
        from.resume();
      });
    });
  }
}
