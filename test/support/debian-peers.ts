import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The programs from Debian packages that the test suites start as real peers — the one list. `npm test`
 * installs the missing ones with apt-get when it runs as root on Debian (test/run.ts), and otherwise
 * prints one line per missing program; the specs that need one skip with the same sentence.
 */
export interface DebianPeer {
  /** The program the suites run: a name looked up on PATH (and the sbin directories), or an absolute path. */
  command: string;
  /** The Debian package it comes in. */
  pkg: string;
  /** Which tests need it, for the notice. */
  neededBy: string;
  /** Where to look instead of PATH (PostgreSQL keeps its server programs in a versioned directory). */
  find?: () => string | null;
}

/** Debian's PostgreSQL server programs live under /usr/lib/postgresql/<version>/bin, not on PATH. */
export function postgresBinDir(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((name) => existsSync(path.join(root, name, 'bin', 'initdb')));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? path.join(root, versions[0], 'bin') : null;
}

export const DEBIAN_PEERS: DebianPeer[] = [
  { command: 'initdb', pkg: 'postgresql', neededBy: 'the medium and e2e suites on PostgreSQL', find: () => postgresBinDir() },
  { command: '/usr/sbin/smtp-sink', pkg: 'postfix', neededBy: 'the mail alerter tests (SMTP peer)' },
  { command: 'snmpd', pkg: 'snmpd', neededBy: 'the snmp check tests' },
  { command: 'snmptrapd', pkg: 'snmptrapd', neededBy: 'the snmp-trap alerter tests' },
  { command: 'snmptranslate', pkg: 'snmp', neededBy: 'the snmp-trap alerter MIB test' },
  { command: 'fping', pkg: 'fping', neededBy: 'the ping check tests' },
  { command: '/usr/lib/nagios/plugins/check_tcp', pkg: 'monitoring-plugins-basic', neededBy: "the nagios check tests (Debian's plugins)" },
  { command: 'dnsmasq', pkg: 'dnsmasq-base', neededBy: 'the dns check tests (a DNS server on loopback)' },
  { command: '/usr/bin/chromium', pkg: 'chromium', neededBy: 'the console tests in a browser (playwright-core drives it)' },
  { command: '/usr/sbin/nginx', pkg: 'nginx', neededBy: 'the console test behind a proxy at a sub-path' },
  { command: 'openssl', pkg: 'openssl', neededBy: 'the ssl check tests (openssl s_server)' },
  { command: 'ip', pkg: 'iproute2', neededBy: 'the network-namespace tests of the ping and port checks and of pollers (ip, tc)' },
  { command: 'iptables', pkg: 'iptables', neededBy: 'the poller tests in network namespaces (a poller losing the private host)' },
  { command: 'nc', pkg: 'netcat-openbsd', neededBy: "the heartbeat tests that drive Pulse as Lovebeat's docs do (nc)" },
  { command: 'curl', pkg: 'curl', neededBy: "the heartbeat HTTP tests that use Lovebeat's curl examples" },
  { command: 'python3', pkg: 'python3', neededBy: 'the --syslog test (a small syslog socket peer)' },
  { command: 'g++', pkg: 'g++', neededBy: 'the single-executable test (builds the SQLite addon for the embedded Node)' },
  { command: 'make', pkg: 'make', neededBy: 'the single-executable test (builds the SQLite addon for the embedded Node)' },
  { command: 'aarch64-linux-gnu-g++', pkg: 'g++-aarch64-linux-gnu', neededBy: 'the arm64 executable test (cross build)' },
  { command: 'qemu-aarch64', pkg: 'qemu-user', neededBy: 'the arm64 executable test (runs it under emulation)' },
  { command: 'faketime', pkg: 'faketime', neededBy: 'the agent executable test with a clock two hours behind (libfaketime)' },
  { command: 'mkfs.ext4', pkg: 'e2fsprogs', neededBy: 'the agent executable test with a full loop-mounted disk' },
];

/**
 * The rest of the development tools, installed by the same set-up when it installs at all (no spec
 * needs them): `strip` makes the executables smaller, `npm run bench:heartbeat` uses wrk.
 */
export const DEBIAN_TOOL_PACKAGES: { command: string; pkg: string }[] = [
  { command: 'strip', pkg: 'binutils' },
  { command: 'aarch64-linux-gnu-strip', pkg: 'binutils-aarch64-linux-gnu' },
  { command: 'wrk', pkg: 'wrk' },
  // Debian's other Nagios plugins (check_ldap, check_mysql …): for trying the nagios check by hand.
  { command: '/usr/lib/nagios/plugins/check_ldap', pkg: 'monitoring-plugins-standard' },
];

const SEARCH_PATH = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter(Boolean);

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Where the peer's program is, or null when it is not installed. */
export function locate(peer: DebianPeer): string | null {
  if (peer.find) return peer.find();
  if (path.isAbsolute(peer.command)) return executable(peer.command) ? peer.command : null;
  for (const dir of SEARCH_PATH) {
    const file = path.join(dir, peer.command);
    if (executable(file)) return file;
  }
  return null;
}

export function missingPeers(): DebianPeer[] {
  return DEBIAN_PEERS.filter((peer) => locate(peer) === null);
}

/** The one line that says what is missing, what needs it and how to get it. */
export function describeMissing(peer: DebianPeer): string {
  return `${path.basename(peer.command)} is not installed: needed by ${peer.neededBy}; install it with \`apt-get install ${peer.pkg}\``;
}

/**
 * For `{ skip: … }` on a describe or it: false when every named program is there, else the sentence
 * for the first one missing (node:test shows it next to the skipped tests).
 */
export function skipUnlessInstalled(...commands: string[]): string | false {
  for (const command of commands) {
    const peer = DEBIAN_PEERS.find((candidate) => candidate.command === command || path.basename(candidate.command) === command);
    if (!peer) throw new Error(`${command} is not in DEBIAN_PEERS (test/support/debian-peers.ts)`);
    if (locate(peer) === null) return describeMissing(peer);
  }
  return false;
}
