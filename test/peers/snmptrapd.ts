import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/ports.js';
import { startProcess, type TestProcess } from '../support/processes.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
/** Debian ships no IETF MIBs; net-snmp's npm package carries SNMPv2-SMI/TC/CONF, which is all ours imports. */
export const MIB_DIRS = [path.join(root, 'node_modules', 'net-snmp', 'lib', 'mibs'), path.join(root, 'appliance', 'mibs')].join(':');

export interface TrapdUser {
  name: string;
  engineId: string;
  authProtocol: 'MD5' | 'SHA' | 'SHA-256' | 'SHA-512';
  authKey: string;
  privProtocol: 'DES' | 'AES';
  privKey: string;
}

/**
 * net-snmp's snmptrapd on a loopback port, logging every trap to stdout with the Pulse MIB loaded (so
 * varbinds print by name). Accepts v2c community `public` and the given SNMPv3 user (authPriv).
 */
export class Snmptrapd {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly process: TestProcess,
  ) {}

  static async start(user: TrapdUser): Promise<Snmptrapd> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-trapd-'));
    const port = await freePort();
    const config = path.join(dir, 'snmptrapd.conf');
    writeFileSync(
      config,
      [
        'authCommunity log public',
        `createUser -e 0x${user.engineId} ${user.name} ${user.authProtocol} ${user.authKey} ${user.privProtocol} ${user.privKey}`,
        `authUser log ${user.name} priv`,
        '',
      ].join('\n'),
    );
    const child = startProcess(
      'snmptrapd',
      [
        '-f',
        '-Lo',
        '-C',
        '-c',
        config,
        '-M',
        MIB_DIRS,
        '-m',
        'SNMPv2-MIB:LILLYDOO-PULSE-MIB',
        '-p',
        path.join(dir, 'pid'),
        `udp:127.0.0.1:${port}`,
      ],
      { env: { ...process.env, SNMP_PERSISTENT_DIR: dir }, label: 'snmptrapd' },
    );
    await child.waitForOutput(/NET-SNMP version/);
    return new Snmptrapd(port, dir, child);
  }

  get output(): string {
    return this.process.stdout;
  }

  /** Waits until `count` traps have been logged; returns each trap's text. */
  async waitForTraps(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const traps = this.process.stdout.split(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d .*\[UDP: /m).slice(1);
      if (traps.length >= count) return traps;
      if (Date.now() > deadline) throw new Error(`snmptrapd logged ${traps.length} of ${count} traps:\n${this.process.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
