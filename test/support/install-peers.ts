import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { DEBIAN_PEERS, DEBIAN_TOOL_PACKAGES, describeMissing, locate, missingPeers, type DebianPeer } from './debian-peers.js';

/** postfix (for smtp-sink) must not configure itself as this machine's mail server. */
const DEBCONF_SELECTIONS = 'postfix postfix/main_mailer_type select No configuration\n';

function run(command: string, args: string[], input?: string): { ok: boolean; output: string } {
  const result = spawnSync(command, args, {
    input,
    encoding: 'utf8',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

/**
 * `npm test`'s own set-up: the Debian programs the suites start as peers. As root on Debian the missing
 * ones are installed with apt-get (non-interactive) unless PULSE_TEST_INSTALL=never; otherwise each
 * missing one is named in one line and the tests that need it are skipped, saying so. False when an
 * install was tried and failed.
 */
export function ensureDebianPeers(log: (line: string) => void, peers: DebianPeer[] = DEBIAN_PEERS): boolean {
  const missing = missingPeers(peers);
  if (missing.length === 0) return true;
  const canInstall =
    process.env.PULSE_TEST_INSTALL !== 'never' &&
    process.getuid?.() === 0 &&
    existsSync('/usr/bin/apt-get') &&
    existsSync('/usr/bin/debconf-set-selections');
  if (!canInstall) {
    for (const peer of missing) log(describeMissing(peer));
    log(
      `(${missing.length} program(s) missing: the tests that need them are skipped; as root on Debian, npm test installs them itself unless PULSE_TEST_INSTALL=never)`,
    );
    return true;
  }
  const tools = DEBIAN_TOOL_PACKAGES.filter((tool) => locate({ ...tool, neededBy: '' }) === null).map((tool) => tool.pkg);
  const packages = [...new Set([...missing.map((peer) => peer.pkg), ...tools])];
  log(`installing the Debian packages the tests need: ${packages.join(' ')}`);
  const steps: [string, string[], string?][] = [
    ['debconf-set-selections', [], DEBCONF_SELECTIONS],
    ['apt-get', ['update', '-qq']],
    ['apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages]],
  ];
  for (const [command, args, input] of steps) {
    const result = run(command, args, input);
    if (!result.ok) {
      log(`${command} ${args.join(' ')} failed:\n${result.output.trim()}`);
      return false;
    }
  }
  const still = missingPeers(peers);
  for (const peer of still) log(`still missing after apt-get: ${describeMissing(peer)}`);
  return still.length === 0;
}
