import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startProcess, type TestProcess } from '../support/processes.js';

/**
 * A Unix datagram socket standing in for the local syslog daemon's /dev/log: a tiny python3 process
 * (Node has no Unix datagram sockets) that prints every message it receives, one per line.
 */
export class SyslogListener {
  private constructor(
    readonly socketPath: string,
    private readonly dir: string,
    private readonly process: TestProcess,
  ) {}

  static async start(): Promise<SyslogListener> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-syslog-'));
    const socketPath = path.join(dir, 'log.sock');
    const script = [
      'import socket, sys',
      `s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(${JSON.stringify(socketPath)})`,
      'print("ready", flush=True)',
      'while True:',
      '    data = s.recv(65536)',
      '    print(data.decode("utf-8", "replace").replace("\\n", " "), flush=True)',
    ].join('\n');
    const child = startProcess('python3', ['-c', script], { label: 'syslog listener' });
    await child.waitForOutput(/^ready$/m);
    return new SyslogListener(socketPath, dir, child);
  }

  get messages(): string[] {
    return this.process.stdout.split('\n').slice(1).filter(Boolean);
  }

  waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    return this.process.waitForOutput(pattern);
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
