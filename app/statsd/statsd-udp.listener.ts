import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import dgram from 'node:dgram';
import { UdpSection } from '../config/config.schema.js';
import { StartupError } from '../runtime/startup-error.js';
import { ReadinessService } from '../health/readiness.service.js';
import { describeAddress, listenAddress } from './listen-address.js';
import { StatsdIngest } from './statsd-ingest.js';
import { StatsdSourceGate } from './trusted-sources.js';

/**
 * statsd over UDP (`[udp] listen`, default :8127). Each datagram (up to 64 KiB) may hold many lines. The
 * receive buffer is raised for bursts; what the kernel still drops shows in /proc/net/snmp RcvbufErrors.
 */
@Injectable()
export class StatsdUdpListener implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Statsd');
  private socket: dgram.Socket | null = null;

  constructor(
    private readonly udp: UdpSection,
    private readonly ingest: StatsdIngest,
    private readonly gate: StatsdSourceGate,
    private readonly readiness: ReadinessService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { host, port, family } = listenAddress(this.udp.listen);
    const wanted = this.udp.receive_buffer_bytes;
    let socket: dgram.Socket;
    try {
      socket = await bind(family === 6 ? 'udp6' : 'udp4', host, port, wanted);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (this.udp.listen.startsWith(':') && code === 'EAFNOSUPPORT')
        socket = await bind('udp4', '0.0.0.0', port, wanted).catch((e) => this.refuse(e));
      else this.refuse(error);
    }
    this.socket = socket!;
    this.socket.on('message', (message, sender) => {
      if (this.gate.admits(sender.address, 'udp')) this.ingest.handleText(message.toString('latin1'), 'udp', sender);
    });
    this.socket.on('error', (error) => this.logger.error(`statsd UDP socket error: ${error.message}`));
    this.logger.log(`statsd UDP listening on ${describeAddress(this.socket.address())}`);
    // Linux reports twice the size asked for (its bookkeeping share); less than asked means rmem_max capped it.
    const granted = this.socket.getRecvBufferSize();
    if (granted < wanted) {
      this.logger.warn(
        `statsd UDP receive buffer is ${granted} bytes, less than [udp] receive_buffer_bytes = ${wanted}: ` +
          `raise net.core.rmem_max (sysctl -w net.core.rmem_max=${wanted}) so bursts are not dropped`,
      );
    }
    this.readiness.register('statsd_udp', () => this.socket !== null);
  }

  onModuleDestroy(): void {
    this.socket?.close();
    this.socket = null;
  }

  private refuse(error: unknown): never {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StartupError(
      `statsd UDP cannot listen on ${this.udp.listen} (${code}). Set [udp] listen (or PULSE_UDP_LISTEN) to a free address.`,
    );
  }
}

function bind(type: 'udp4' | 'udp6', host: string, port: number, receiveBufferBytes: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({ type, recvBufferSize: receiveBufferBytes });
    socket.once('error', (error) => {
      socket.close();
      reject(error);
    });
    socket.bind(port, host, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}
