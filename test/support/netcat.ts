import { spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Runs Debian's netcat-openbsd (`nc`) with `input` on its stdin, as Lovebeat's docs do, and waits for it
 * to exit; killed by pid if it takes longer than `timeoutMs`. Only for loopback addresses.
 */
export function netcat(
  args: string[],
  input: string | Buffer,
  timeoutMs = 10_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // From a file, like `echo … | nc`: the input is there the moment nc starts, which `-w0` relies on.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-nc-'));
  const file = path.join(dir, 'input');
  writeFileSync(file, input);
  const stdin = openSync(file, 'r');
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn('nc', args, { stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.pid && process.kill(child.pid, 'SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  }).finally(() => {
    closeSync(stdin);
    rmSync(dir, { recursive: true, force: true });
  });
}

/** Polls `read` until `done` says yes (at most `attempts` × 50 ms): for effects that cross a socket. */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await read();
  for (let attempt = 1; attempt < attempts && !done(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
