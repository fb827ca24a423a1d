import { isIP } from 'node:net';
import { formatHostPort, parseHostPort } from '../../../app/plugin-host/index.js';

export const RECORD_TYPES = ['A', 'AAAA', 'CNAME', 'MX', 'TXT', 'NS'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];

const DOMAIN_LABEL = /^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$/;

/** A DNS name as queried: letters, digits, `-` and `_` (for `_dmarc.example.com`), an optional final dot. */
export function isDomainName(text: string): boolean {
  const name = text.endsWith('.') ? text.slice(0, -1) : text;
  if (name === '' || name.length > 253 || isIP(name) !== 0) return false;
  return name.split('.').every((label) => DOMAIN_LABEL.test(label));
}

/** `127.0.0.1`, `127.0.0.1:5353`, `::1`, `[::1]:5353` → what Resolver.setServers takes; null if not one. */
export function parseResolver(text: string): string | null {
  const address = parseHostPort(text, 53);
  if (!address || isIP(address.host) === 0) return null;
  return formatHostPort(address.host, address.port);
}

/** Lower case, no final dot: how names compare. */
function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** One spelling per address: `2001:DB8:0::10` and `2001:db8::10` are the same answer. */
function normalAddress(address: string): string {
  if (isIP(address) !== 6) return address;
  return new URL(`http://[${address}]/`).hostname.slice(1, -1);
}

/** Why an expected answer cannot match a record of this type, or null when it is well formed. */
export function expectedProblem(type: RecordType, expected: string): string | null {
  switch (type) {
    case 'A':
      return isIP(expected) === 4 ? null : `"${expected}" is not an IPv4 address`;
    case 'AAAA':
      return isIP(expected) === 6 ? null : `"${expected}" is not an IPv6 address`;
    case 'CNAME':
    case 'NS':
      return isDomainName(expected) ? null : `"${expected}" is not a domain name`;
    case 'MX': {
      const parts = expected.trim().split(/\s+/);
      const ok =
        (parts.length === 1 && isDomainName(parts[0]!)) || (parts.length === 2 && /^\d{1,5}$/.test(parts[0]!) && isDomainName(parts[1]!));
      return ok ? null : `"${expected}" is not a mail server ("mail.example.com" or "10 mail.example.com")`;
    }
    case 'TXT':
      return null;
  }
}

/** Whether an answer (as the check lists it) is the one expected. */
export function answerMatches(type: RecordType, answer: string, expected: string): boolean {
  switch (type) {
    case 'A':
    case 'AAAA':
      return normalAddress(answer) === normalAddress(expected);
    case 'CNAME':
    case 'NS':
      return normalName(answer) === normalName(expected);
    case 'MX': {
      const [priority, exchange = ''] = answer.split(' ');
      const parts = expected.trim().split(/\s+/);
      return parts.length === 1
        ? normalName(exchange) === normalName(parts[0]!)
        : Number(parts[0]) === Number(priority) && normalName(exchange) === normalName(parts[1]!);
    }
    case 'TXT':
      return answer === expected;
  }
}
