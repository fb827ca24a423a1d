import { isIP } from 'node:net';

/**
 * The key a per-client limit counts under: an IPv4 address as it is (IPv4-mapped IPv6 included), an
 * IPv6 address by its /64 — one host usually holds a whole /64, so counting single addresses would let
 * it pick a fresh one for every attempt.
 */
export function clientKey(address: string): string {
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  if (isIP(plain) !== 6) return plain;
  return `${ipv6Groups(plain.split('%')[0]!).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as short hex. */
function ipv6Groups(address: string): string[] {
  let text = address;
  const tail: string[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    // An embedded IPv4 tail ("64:ff9b::192.0.2.1") is the last two groups.
    const [a, b, c, d] = text
      .slice(lastColon + 1)
      .split('.')
      .map(Number) as [number, number, number, number];
    tail.push(((a << 8) | b).toString(16), ((c << 8) | d).toString(16));
    text = text.slice(0, lastColon + 1);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - tail.length - left.length - right.length;
  return [...left, ...Array.from({ length: zeros }, () => '0'), ...right, ...tail].map((group) => parseInt(group, 16).toString(16));
}
