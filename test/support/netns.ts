import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { runCommand } from './processes.js';

/**
 * Test hosts inside a network namespace the test creates, on veth pairs in 198.18.0.0/15 only, after
 * `ip route add unreachable 198.18.0.0/15` so nothing in that range can leave the machine.
 */
export const canUseNamespaces = process.getuid?.() === 0;

async function ip(...args: string[]): Promise<void> {
  await runCommand('ip', args);
}

export async function guardTestRange(): Promise<void> {
  await ip('route', 'add', 'unreachable', '198.18.0.0/15').catch((error: { stderr?: string }) => {
    if (!/File exists/.test(error.stderr ?? '')) throw error;
  });
}

export interface NamespaceHost {
  /** The address of the host inside the namespace. */
  address: string;
  /** Our end of the veth pair, as the namespace reaches us. */
  peerAddress: string;
  namespace: string;
  /** The veth end on this side (in the test's own namespace): traffic to `address` goes through it. */
  hostInterface: string;
  /** Runs a command inside the namespace. */
  exec(command: string, args: string[]): Promise<{ stdout: string; stderr: string }>;
  dispose(): Promise<void>;
}

/**
 * A host in its own namespace, reachable over a veth pair. With `silent`, it never answers (its route
 * back to us is a blackhole), which is how a test makes a target time out.
 */
export async function namespaceHost(options: { silent?: boolean; hosts?: string } = {}): Promise<NamespaceHost> {
  await guardTestRange();
  const id = randomBytes(3).toString('hex');
  const namespace = `pulse-${id}`;
  const third = randomBytes(1)[0]!;
  const base = (randomBytes(1)[0]! % 64) * 4;
  const outside = `198.18.${third}.${base + 1}`;
  const inside = `198.18.${third}.${base + 2}`;
  const [hostEnd, nsEnd] = [`pv${id}a`, `pv${id}b`];
  await ip('netns', 'add', namespace);
  try {
    await ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd);
    await ip('link', 'set', nsEnd, 'netns', namespace);
    await ip('addr', 'add', `${outside}/30`, 'dev', hostEnd);
    await ip('link', 'set', hostEnd, 'up');
    await ip('-n', namespace, 'addr', 'add', `${inside}/30`, 'dev', nsEnd);
    await ip('-n', namespace, 'link', 'set', nsEnd, 'up');
    await ip('-n', namespace, 'link', 'set', 'lo', 'up');
    if (options.silent) await ip('-n', namespace, 'route', 'add', 'blackhole', `${outside}/32`);
    // `ip netns exec` mounts /etc/netns/<name>/hosts over /etc/hosts for what runs inside: names for the
    // namespace alone, without touching the machine's /etc/hosts.
    if (options.hosts !== undefined) {
      mkdirSync(`/etc/netns/${namespace}`, { recursive: true });
      writeFileSync(`/etc/netns/${namespace}/hosts`, options.hosts);
    }
  } catch (error) {
    await ip('netns', 'del', namespace).catch(() => undefined);
    rmSync(`/etc/netns/${namespace}`, { recursive: true, force: true });
    throw error;
  }
  return {
    address: inside,
    peerAddress: outside,
    namespace,
    hostInterface: hostEnd,
    exec: (command, args) => runCommand('ip', ['netns', 'exec', namespace, command, ...args]),
    // Deleting the namespace destroys the veth pair with it.
    dispose: async () => {
      await ip('netns', 'del', namespace);
      rmSync(`/etc/netns/${namespace}`, { recursive: true, force: true });
    },
  };
}
