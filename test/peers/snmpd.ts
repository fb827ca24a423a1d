import dgram from 'node:dgram';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, type TestProcess } from '../support/processes.js';

export const SNMPD_COMMUNITY = 'pulse-test-community';
export const SNMPD_V3 = {
  user: 'pulse-v3',
  authProtocol: 'sha',
  authKey: 'pulse-auth-key',
  privProtocol: 'aes',
  privKey: 'pulse-priv-key',
} as const;
export const SNMPD_SYSNAME = 'pulse-snmp-test';
/** sysServices.0 as configured: a known integer for threshold tests. */
export const SNMPD_SYSSERVICES = 72;

/** A UDP port on 127.0.0.1 that was free a moment ago. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.on('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

/**
 * Net-SNMP's `snmpd` on a loopback high port with its own config and state in a temp directory (no system
 * config read), a v2c community and a v3 user with SHA/AES. Stopped by pid.
 */
export class SnmpdPeer {
  private constructor(
    readonly process: TestProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** `sysDescr` sets sysDescr.0 (default: snmpd's own, the system's uname). */
  static async start(options: { sysDescr?: string } = {}): Promise<SnmpdPeer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-snmpd-'));
    const persistent = path.join(dir, 'persist');
    mkdirSync(persistent);
    const port = await freeUdpPort();
    const config = path.join(dir, 'snmpd.conf');
    writeFileSync(
      config,
      [
        `rocommunity ${SNMPD_COMMUNITY} 127.0.0.1`,
        `createUser ${SNMPD_V3.user} SHA "${SNMPD_V3.authKey}" AES "${SNMPD_V3.privKey}"`,
        `rouser ${SNMPD_V3.user} priv`,
        `sysName ${SNMPD_SYSNAME}`,
        'sysLocation Pulse test rack',
        `sysServices ${SNMPD_SYSSERVICES}`,
        ...(options.sysDescr ? [`sysDescr ${options.sysDescr}`] : []),
        '',
      ].join('\n'),
    );
    const child = startProcess(
      'snmpd',
      ['-f', '-C', '-c', config, '-Lo', '-p', path.join(dir, 'snmpd.pid'), '-M', dir, '-m', '', `udp:127.0.0.1:${port}`],
      {
        env: { ...process.env, SNMP_PERSISTENT_DIR: persistent, SNMPCONFPATH: dir },
        label: 'snmpd',
      },
    );
    try {
      await child.waitForOutput(/NET-SNMP version/);
    } catch (error) {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new SnmpdPeer(child, port, dir);
  }

  get target(): string {
    return `127.0.0.1:${this.port}`;
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
