import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommand } from './processes.js';

/** Why a test that mounts a tmpfs cannot run here, or null when it can (mounting needs root). */
export function tmpfsUnavailable(): string | null {
  return process.getuid?.() === 0 ? null : 'mounting a tmpfs needs root (run the suite as root, as .ci/run does)';
}

/**
 * A real small file system of its own (a tmpfs of `size`, e.g. "8m") on a fresh directory, so a test can
 * fill the disk under Pulse and give the space back. Unmount it in the test's cleanup.
 */
export class Tmpfs {
  private constructor(readonly dir: string) {}

  static async mount(size: string): Promise<Tmpfs> {
    const dir = mkdtempSync(path.join(os.tmpdir(), `pulse-tmpfs-${process.pid}-`));
    try {
      await runCommand('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
    } catch (error) {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
    return new Tmpfs(dir);
  }

  private get filler(): string {
    return path.join(this.dir, 'filler');
  }

  /** Writes a filler file until the file system has no byte left. */
  fill(): void {
    const fd = openSync(this.filler, 'a');
    try {
      for (const size of [1 << 20, 64 << 10, 4 << 10, 512, 1]) {
        const chunk = Buffer.alloc(size, 0x55);
        try {
          for (;;) writeSync(fd, chunk);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Gives the space back. */
  free(): void {
    rmSync(this.filler, { force: true });
  }

  /** Makes the whole file system read-only (as a failing disk or a read-only mount would). */
  async remountReadOnly(): Promise<void> {
    await runCommand('mount', ['-o', 'remount,ro', this.dir]);
  }

  async unmount(): Promise<void> {
    await runCommand('umount', [this.dir]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
