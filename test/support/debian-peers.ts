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
  { command: 'shellcheck', pkg: 'shellcheck', neededBy: 'the installer test (the served scripts pass shellcheck)' },
  { command: 'wget', pkg: 'wget', neededBy: 'the installer test (installing with wget instead of curl)' },
  { command: 'unshare', pkg: 'util-linux', neededBy: 'the installer test (a mount-namespace sandbox)' },
  { command: 'faketime', pkg: 'faketime', neededBy: 'the agent executable test with a clock two hours behind (libfaketime)' },
  { command: 'mkfs.ext4', pkg: 'e2fsprogs', neededBy: 'the agent executable test with a full loop-mounted disk' },
];

/** A file a Debian package ships, where there is no program to look up. */
const shipped = (file: string) => () => (existsSync(file) ? file : null);

/**
 * What `npm run test:appliance` needs on top (it installs them the same way before building): the tools
 * that build the Debian packages and the disk image, and QEMU with its firmware to boot it.
 */
export const APPLIANCE_PEERS: DebianPeer[] = [
  { command: 'dpkg-buildpackage', pkg: 'dpkg-dev', neededBy: 'npm run build:packages' },
  { command: 'dh', pkg: 'debhelper', neededBy: 'npm run build:packages' },
  { command: 'lintian', pkg: 'lintian', neededBy: 'the package test (lintian)' },
  { command: 'mmdebstrap', pkg: 'mmdebstrap', neededBy: 'npm run build:appliance (the Debian root file system)' },
  { command: 'mke2fs', pkg: 'e2fsprogs', neededBy: 'npm run build:appliance (the ext4 root)' },
  { command: 'mkfs.vfat', pkg: 'dosfstools', neededBy: 'npm run build:appliance (the EFI system partition)' },
  { command: 'mcopy', pkg: 'mtools', neededBy: 'npm run build:appliance (files into the EFI system partition)' },
  { command: 'sfdisk', pkg: 'fdisk', neededBy: 'npm run build:appliance (the partition table)' },
  { command: 'grub-mkimage', pkg: 'grub-common', neededBy: 'npm run build:appliance (the boot loader)' },
  {
    command: 'grub-i386-pc',
    pkg: 'grub-pc-bin',
    neededBy: 'npm run build:appliance (BIOS boot)',
    find: shipped('/usr/lib/grub/i386-pc/normal.mod'),
  },
  {
    command: 'grub-x86_64-efi',
    pkg: 'grub-efi-amd64-bin',
    neededBy: 'npm run build:appliance (UEFI boot)',
    find: shipped('/usr/lib/grub/x86_64-efi/normal.mod'),
  },
  { command: 'qemu-img', pkg: 'qemu-utils', neededBy: 'npm run build:appliance (qcow2) and the boot test (overlays)' },
  { command: 'qemu-system-x86_64', pkg: 'qemu-system-x86', neededBy: 'the appliance boot test' },
  { command: 'seabios', pkg: 'seabios', neededBy: 'the appliance boot test (BIOS)', find: shipped('/usr/share/seabios/bios-256k.bin') },
  { command: 'ovmf', pkg: 'ovmf', neededBy: 'the appliance boot test (UEFI)', find: shipped('/usr/share/OVMF/OVMF_CODE_4M.fd') },
  { command: 'ssh', pkg: 'openssh-client', neededBy: 'the appliance boot test (commands inside the guest)' },
  { command: 'dpkg-shlibdeps', pkg: 'dpkg-dev', neededBy: 'the package test (C runtime dependencies)' },
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

export function missingPeers(peers: DebianPeer[] = DEBIAN_PEERS): DebianPeer[] {
  return peers.filter((peer) => locate(peer) === null);
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
