import { randomBytes } from 'node:crypto';
import { guardTestRange } from './netns.js';
import { runCommand, startProcess, type TestProcess } from './processes.js';

/**
 * Several network namespaces wired together for one test: veth pairs between namespaces (or to this, the
 * root namespace), bridges, processes started inside. Every name carries the test's pid and a tag, so
 * tests running at the same time never collide; addresses are in 198.18.0.0/15 only (guarded by
 * `ip route add unreachable 198.18.0.0/15` first). Links between two lab namespaces may use any address
 * of that range (nobody else sees them); a link to the root namespace gets a random /30.
 */
export class NetnsLab {
  private readonly namespaces: string[] = [];
  private links = 0;
  private readonly tag = `${process.pid.toString(36)}${randomBytes(1).toString('hex')}`;

  static async create(): Promise<NetnsLab> {
    await guardTestRange();
    return new NetnsLab();
  }

  /** A new namespace with its loopback up: `pulse-<name>-<pid>…`. */
  async namespace(name: string): Promise<string> {
    const namespace = `pulse-${name}-${this.tag}`;
    await ip('netns', 'add', namespace);
    this.namespaces.push(namespace);
    await ip('-n', namespace, 'link', 'set', 'lo', 'up');
    return namespace;
  }

  /** A veth pair between two namespaces with these addresses (`198.19.1.1/30`); returns the interface names. */
  async link(a: { ns: string; address: string }, b: { ns: string; address: string }): Promise<[string, string]> {
    const [left, right] = this.vethNames();
    await ip('link', 'add', left, 'type', 'veth', 'peer', 'name', right);
    for (const [end, side] of [
      [left, a],
      [right, b],
    ] as const) {
      await ip('link', 'set', end, 'netns', side.ns);
      await ip('-n', side.ns, 'addr', 'add', side.address, 'dev', end);
      await ip('-n', side.ns, 'link', 'set', end, 'up');
    }
    return [left, right];
  }

  /** A veth pair from the root namespace (this test's process) to `ns`, on a random /30; returns both addresses. */
  async rootLink(ns: string): Promise<{ root: string; inside: string }> {
    const third = randomBytes(1)[0]!;
    const base = (randomBytes(1)[0]! % 64) * 4;
    const root = `198.18.${third}.${base + 1}`;
    const inside = `198.18.${third}.${base + 2}`;
    const [outer, inner] = this.vethNames();
    await ip('link', 'add', outer, 'type', 'veth', 'peer', 'name', inner);
    await ip('link', 'set', inner, 'netns', ns);
    await ip('addr', 'add', `${root}/30`, 'dev', outer);
    await ip('link', 'set', outer, 'up');
    await ip('-n', ns, 'addr', 'add', `${inside}/30`, 'dev', inner);
    await ip('-n', ns, 'link', 'set', inner, 'up');
    return { root, inside };
  }

  /** A bridge inside `ns` with an address of its own (`198.19.10.1/24`). */
  async bridge(ns: string, address: string): Promise<string> {
    const name = 'br0';
    await ip('-n', ns, 'link', 'add', name, 'type', 'bridge');
    await ip('-n', ns, 'addr', 'add', address, 'dev', name);
    await ip('-n', ns, 'link', 'set', name, 'up');
    return name;
  }

  /** Plugs `ns` (with `address`) into the bridge in `bridgeNs`. */
  async plug(ns: string, address: string, bridgeNs: string, bridge: string): Promise<string> {
    const [left, right] = this.vethNames();
    await ip('link', 'add', left, 'type', 'veth', 'peer', 'name', right);
    await ip('link', 'set', left, 'netns', ns);
    await ip('link', 'set', right, 'netns', bridgeNs);
    await ip('-n', ns, 'addr', 'add', address, 'dev', left);
    await ip('-n', ns, 'link', 'set', left, 'up');
    await ip('-n', bridgeNs, 'link', 'set', right, 'master', bridge);
    await ip('-n', bridgeNs, 'link', 'set', right, 'up');
    return left;
  }

  /** Runs a command inside `ns` to completion. */
  exec(ns: string, command: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
    return runCommand('ip', ['netns', 'exec', ns, command, ...args]);
  }

  /** Starts a process inside `ns` (`ip netns exec` execs it, so the pid is the process's own). */
  start(ns: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; label?: string } = {}): TestProcess {
    return startProcess('ip', ['netns', 'exec', ns, command, ...args], options);
  }

  /** Deletes every namespace (their veth pairs and bridges go with them). */
  async dispose(): Promise<void> {
    for (const namespace of this.namespaces.splice(0).reverse()) await ip('netns', 'del', namespace).catch(() => undefined);
  }

  private vethNames(): [string, string] {
    const index = ++this.links;
    return [`pv${this.tag}${index}a`, `pv${this.tag}${index}b`];
  }
}

async function ip(...args: string[]): Promise<void> {
  await runCommand('ip', args);
}
