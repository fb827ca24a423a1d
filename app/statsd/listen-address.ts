import { isIP, type AddressInfo } from 'node:net';
import { parseHostPort } from '../config/host-port.js';

/** `[udp] listen` / `[tcp] listen` as host and port; ":8127" means every address (IPv6 and IPv4). */
export function listenAddress(listen: string): { host: string; port: number; family: 4 | 6 } {
  const { host, port } = parseHostPort(listen)!;
  if (host === '') return { host: '::', port, family: 6 };
  return { host, port, family: isIP(host) === 6 ? 6 : 4 };
}

export function describeAddress(address: AddressInfo): string {
  return address.family === 'IPv6' ? `[${address.address}]:${address.port}` : `${address.address}:${address.port}`;
}
