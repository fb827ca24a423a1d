import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../support/ports.js';
import { startProcess, type TestProcess } from '../support/processes.js';

/**
 * Postfix's smtp-sink on a loopback port: accepts mail and dumps each message to a file. `softReject` /
 * `hardReject` make it answer the given SMTP commands with 4xx / 5xx, to test retries.
 */
export class SmtpSink {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly process: TestProcess,
  ) {}

  static async start(options: { softReject?: string[]; hardReject?: string[] } = {}): Promise<SmtpSink> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-smtp-'));
    chmodSync(dir, 0o777); // smtp-sink drops to `nobody` when started as root
    const port = await freePort();
    const args = ['-d', path.join(dir, '%M.')];
    if (process.getuid?.() === 0) args.unshift('-u', 'nobody');
    if (options.softReject) args.push('-r', options.softReject.join(','));
    if (options.hardReject) args.push('-f', options.hardReject.join(','));
    const child = startProcess('/usr/sbin/smtp-sink', [...args, `127.0.0.1:${port}`, '50'], { label: 'smtp-sink' });
    // Ready once it accepts connections.
    for (let attempt = 0; attempt < 100; attempt++) {
      const net = await import('node:net');
      const ok = await new Promise<boolean>((resolve) => {
        const socket = net.connect({ host: '127.0.0.1', port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      if (ok) return new SmtpSink(port, dir, child);
      if (!child.running) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await child.stop();
    throw new Error(`smtp-sink did not start:\n${child.output()}`);
  }

  /** Every message received so far, as dumped (headers added by smtp-sink first). */
  messages(): string[] {
    return readdirSync(this.dir)
      .sort()
      .map((name) => readFileSync(path.join(this.dir, name), 'utf8'));
  }

  async waitForMessages(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const messages = this.messages();
      if (messages.length >= count) return messages;
      if (Date.now() > deadline) throw new Error(`smtp-sink got ${messages.length} of ${count} messages`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
