import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';

/**
 * One process per data directory: two pollers (or agents) sharing one outbox would send each other's
 * items and cut each other's files. `<data_dir>/<role>.pid` holds the owner's pid; a file left by a
 * process that is gone (kill -9, power cut) is taken over.
 */
export class DataDirLock {
  private constructor(private readonly file: string) {}

  static acquire(dataDir: string, role: string): DataDirLock {
    const file = path.join(dataDir, `${role}.pid`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        writeSync(fd, `${process.pid}\n`);
        closeSync(fd);
        return new DataDirLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(readOwner(file));
        if (Number.isSafeInteger(owner) && owner > 0 && owner !== process.pid && isRunning(owner))
          throw new StartupError(`another ${role} (pid ${owner}) uses data_dir ${dataDir}; give each its own data_dir`, {
            exitCode: EXIT_CONFIG,
          });
        rmSync(file, { force: true }); // left by a process that is gone
      }
    }
    throw new StartupError(`cannot lock data_dir ${dataDir} (${file})`, { exitCode: EXIT_CONFIG });
  }

  release(): void {
    rmSync(this.file, { force: true });
  }
}

function readOwner(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return '';
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
