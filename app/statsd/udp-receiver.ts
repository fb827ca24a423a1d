import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { listenAddress } from './listen-address.js';
import { DRAIN_LIMIT_MS, untilQuiet } from './quiet-turn.js';
import type { StatsdReceiver } from './statsd-receiver.js';

export interface UdpSocketSettings {
  /** `[udp] listen`. */
  listen: string;
  /** Bind this port instead of the one in `listen` (the further sockets of a reusePort group). */
  port?: number;
  receiveBufferBytes: number;
  /** SO_REUSEPORT, so several sockets (one per receive worker) share the address; Node >= 22.12 only. */
  reusePort: boolean;
}

export interface OpenUdpSocket {
  socket: dgram.Socket;
  address: AddressInfo;
  /** What the kernel granted (Linux reports twice what was asked for; less means rmem_max capped it). */
  receiveBufferBytes: number;
  /** Reads the datagrams already waiting in the socket, then closes it (the receiver's batch is the caller's to flush). */
  close(): Promise<void>;
}

/**
 * The statsd UDP socket: each datagram (up to 64 KiB, many lines) goes to the receiver as latin1 text, one
 * char per byte, so a bad byte is a bad line and never a decoding error. ":8127" takes IPv6 and IPv4
 * where the host has IPv6, IPv4 alone where it has not. Rejects with the bind error.
 */
export async function openUdpSocket(settings: UdpSocketSettings, receiver: StatsdReceiver): Promise<OpenUdpSocket> {
  const { host, port, family } = listenAddress(settings.listen);
  const wanted = settings.port ?? port;
  let socket: dgram.Socket;
  try {
    socket = await bind(family === 6 ? 'udp6' : 'udp4', host, wanted, settings);
  } catch (error) {
    if (!settings.listen.startsWith(':') || (error as NodeJS.ErrnoException).code !== 'EAFNOSUPPORT') throw error;
    socket = await bind('udp4', '0.0.0.0', wanted, settings);
  }
  let datagrams = 0;
  socket.on('message', (message, sender) => {
    datagrams++;
    if (receiver.admits(sender.address)) receiver.datagram(message.toString('latin1'), sender);
  });
  const close = async () => {
    await untilQuiet(() => datagrams, DRAIN_LIMIT_MS);
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  };
  return { socket, address: socket.address(), receiveBufferBytes: socket.getRecvBufferSize(), close };
}

function bind(type: 'udp4' | 'udp6', host: string, port: number, settings: UdpSocketSettings): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket({
      type,
      recvBufferSize: settings.receiveBufferBytes,
      reusePort: settings.reusePort,
    } as dgram.SocketOptions);
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

/**
 * Resolves when nobody holds the address: an exclusive bind succeeds (and is closed again). Port 0 is
 * always free. Run before a reusePort group binds, which would otherwise join another process's sockets.
 */
export async function udpAddressFree(settings: UdpSocketSettings): Promise<void> {
  const { host, port, family } = listenAddress(settings.listen);
  if ((settings.port ?? port) === 0) return;
  const exclusive = { ...settings, reusePort: false, receiveBufferBytes: 65536 };
  const probe = await bind(family === 6 ? 'udp6' : 'udp4', host, settings.port ?? port, exclusive).catch((error: NodeJS.ErrnoException) => {
    if (!settings.listen.startsWith(':') || error.code !== 'EAFNOSUPPORT') throw error;
    return bind('udp4', '0.0.0.0', settings.port ?? port, exclusive);
  });
  await new Promise<void>((resolve) => probe.close(() => resolve()));
}

/** dgram's `reusePort` (SO_REUSEPORT: several sockets on one port, the kernel spreading senders over them) came with Node 22.12 and 23.1. */
export function nodeSharesUdpPorts(version = process.versions.node): boolean {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  return major > 23 || (major === 23 && minor >= 1) || (major === 22 && minor >= 12);
}
