import { isIP } from 'node:net';

const HOST = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]*)$/;

/** "host:port" as the config writes it (":8127", "127.0.0.1:8127", "[::1]:8127"); no class-validator, so a worker thread can use it. */
export function parseHostPort(value: string): { host: string; port: number } | null {
  const colon = value.lastIndexOf(':');
  if (colon < 0) return null;
  const hostPart = value.slice(0, colon);
  const portPart = value.slice(colon + 1);
  if (!/^\d{1,5}$/.test(portPart) || !HOST.test(hostPart)) return null;
  const port = Number(portPart);
  if (port > 65535) return null;
  const host = hostPart.startsWith('[') ? hostPart.slice(1, -1) : hostPart;
  if (hostPart.startsWith('[') && isIP(host) !== 6) return null;
  return { host, port };
}
