import { isIP } from 'node:net';

/**
 * "host:port" targets as people write them: `example.com:443`, `10.0.0.5:22`, `[2001:db8::1]:53`.
 * Returns null when the text is not one; `defaultPort` allows a bare host.
 */
export function parseHostPort(target: string, defaultPort?: number): { host: string; port: number } | null {
  const text = target.trim();
  let host: string;
  let portText: string | undefined;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close < 0) return null;
    host = text.slice(1, close);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith(':')) return null;
    portText = rest === '' ? undefined : rest.slice(1);
    if (isIP(host) !== 6) return null;
  } else if (text.split(':').length > 2) {
    // A bare IPv6 address without brackets cannot carry a port.
    if (isIP(text) !== 6) return null;
    host = text;
    portText = undefined;
  } else {
    [host, portText] = text.includes(':') ? (text.split(':') as [string, string]) : [text, undefined];
    if (!/^[A-Za-z0-9_.-]+$/.test(host) || host.startsWith('-') || host.startsWith('.')) return null;
  }
  if (host === '') return null;
  if (portText === undefined) return defaultPort === undefined ? null : { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText)) return null;
  const port = Number(portText);
  if (port < 1 || port > 65535) return null;
  return { host, port };
}

export function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
