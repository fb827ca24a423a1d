import dns from 'node:dns';
import net from 'node:net';

/**
 * Where alerters may connect (SPEC §13). Link-local and cloud-metadata addresses are refused unless
 * `allow` lists them, `deny` refuses more. The check runs on the addresses a connection is really made
 * to: IP literals before connecting, names inside the socket's `lookup` (after DNS, for every connection),
 * so neither a numeric spelling (`2852039166`, `0xa9fea9fe`, `::ffff:a9fe:a9fe`) nor DNS rebinding
 * gets past it, and a refused address never sees a packet.
 */

/** Refused unless `allow` lists them: link-local (where metadata services live) and AWS's IPv6 metadata. */
const BUILT_IN: { cidr: string; why: string }[] = [
  { cidr: '169.254.0.0/16', why: 'link-local, where cloud metadata services answer' },
  { cidr: 'fe80::/10', why: 'IPv6 link-local' },
  { cidr: 'fd00:ec2::254/128', why: 'a cloud metadata address' },
];

/** IPv6 ranges that carry an IPv4 address in their last 32 bits (IPv4-mapped is handled by BlockList). */
const EMBEDDING_V4 = ['::/96', '64:ff9b::/96'].map(cidrList);

export interface NetworkPolicyOptions {
  /** CIDR ranges or addresses that may be contacted even when built in or denied. */
  allow?: readonly string[];
  /** CIDR ranges or addresses refused in addition to the built-in ones. */
  deny?: readonly string[];
  /** The resolver behind `lookup` (dns.lookup's signature); tests hand in their own. */
  resolve?: typeof dns.lookup;
}

/** A connection to an address the policy refuses: a configuration problem, never worth a retry. */
export class AddressRefusedError extends Error {
  override name = 'AddressRefusedError';
  readonly code = 'ERR_ADDRESS_REFUSED';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;

export class NetworkPolicy {
  private readonly allow: net.BlockList;
  private readonly refused: { cidr: string; why: string; list: net.BlockList }[];
  private readonly resolve: typeof dns.lookup;

  /** Throws (naming the entry) when an entry of `allow` or `deny` is not an address or CIDR range. */
  constructor(options: NetworkPolicyOptions = {}) {
    this.allow = new net.BlockList();
    for (const cidr of options.allow ?? []) addCidr(this.allow, cidr);
    this.refused = [
      ...BUILT_IN.map((entry) => ({ ...entry, list: cidrList(entry.cidr) })),
      ...(options.deny ?? []).map((cidr) => ({ cidr, why: `listed in [alerting] deny_networks (${cidr})`, list: cidrList(cidr) })),
    ];
    this.resolve = options.resolve ?? dns.lookup;
  }

  /** Why `address` (an IP address) may not be contacted, or null when it may. */
  refusal(address: string): string | null {
    const forms = addressForms(address);
    if (forms.length === 0) return null;
    if (forms.some((form) => this.allow.check(form.address, form.type))) return null;
    for (const range of this.refused) {
      if (forms.some((form) => range.list.check(form.address, form.type))) {
        const how = range.why.startsWith('listed') ? range.why : `${range.why} (${range.cidr})`;
        return `${address} is ${how}; Pulse does not send alerts there unless [alerting] allow_networks lists it`;
      }
    }
    return null;
  }

  /** For a host about to be connected to: an IP literal is checked here; names are checked by `lookup`. */
  assertHost(host: string): void {
    const why = this.refusal(host.replace(/^\[(.*)\]$/, '$1'));
    if (why) throw new AddressRefusedError(why);
  }

  /**
   * A `lookup` for net/tls/http(s) connections: resolves as dns.lookup does and refuses the connection
   * when any answer is refused (a name that also points at a metadata address is not one to trust).
   */
  readonly lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    this.resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '');
      const answers = addresses as dns.LookupAddress[];
      for (const answer of answers) {
        const why = this.refusal(answer.address);
        if (why) return callback(new AddressRefusedError(`${hostname} resolves to ${why}`), '');
      }
      if (options.all) return callback(null, answers);
      if (answers.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      callback(null, answers[0]!.address, answers[0]!.family);
    });
  };

  /** A TCP connection to host:port under this policy (SMTP relays); rejects with AddressRefusedError. */
  connect(host: string, port: number, signal: AbortSignal): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      try {
        this.assertHost(host);
      } catch (error) {
        return reject(error);
      }
      const socket = net.connect({ host: host.replace(/^\[(.*)\]$/, '$1'), port, lookup: this.lookup });
      const onAbort = () => socket.destroy(signal.reason as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      socket.once('connect', () => {
        signal.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        resolve(socket);
      });
      const onError = (error: Error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      };
      socket.once('error', onError);
    });
  }
}

/** The policy every alerter gets when core hands in none: the built-in refusals only. */
export const DEFAULT_NETWORK_POLICY = new NetworkPolicy();

/** Null when `entry` is an address or CIDR range BlockList takes, else what is wrong with it. */
export function cidrProblem(entry: string): string | null {
  try {
    cidrList(entry);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function cidrList(cidr: string): net.BlockList {
  const list = new net.BlockList();
  addCidr(list, cidr);
  return list;
}

function addCidr(list: net.BlockList, entry: string): void {
  const [address = '', bits, ...extra] = entry.trim().split('/');
  const family = net.isIP(address);
  const max = family === 4 ? 32 : 128;
  if (family === 0 || extra.length > 0 || (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > max)))
    throw new Error(`"${entry}" is not an IP address or CIDR range (e.g. "10.0.0.0/8", "fd00::/8")`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (bits === undefined) list.addAddress(address, type);
  else list.addSubnet(address, Number(bits), type);
}

/** The address as BlockList checks it, plus the IPv4 address it embeds (IPv4-compatible, NAT64). */
function addressForms(text: string): { address: string; type: 'ipv4' | 'ipv6' }[] {
  const address = text.replace(/%.*$/, '');
  const family = net.isIP(address);
  if (family === 4) return [{ address, type: 'ipv4' }];
  if (family !== 6) return [];
  const forms: { address: string; type: 'ipv4' | 'ipv6' }[] = [{ address, type: 'ipv6' }];
  if (EMBEDDING_V4.some((list) => list.check(address, 'ipv6'))) {
    const embedded = lastIPv4(address);
    if (embedded && embedded !== '0.0.0.0' && embedded !== '0.0.0.1') forms.push({ address: embedded, type: 'ipv4' });
  }
  return forms;
}

/** The last 32 bits of an IPv6 address as dotted IPv4. */
function lastIPv4(address: string): string | null {
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (dotted) return dotted[1]!;
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = [...headGroups, ...Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0'), ...tailGroups];
  const [high, low] = groups.slice(-2).map((group) => parseInt(group, 16));
  if (high === undefined || low === undefined || Number.isNaN(high) || Number.isNaN(low)) return null;
  return [high >> 8, high & 255, low >> 8, low & 255].join('.');
}
