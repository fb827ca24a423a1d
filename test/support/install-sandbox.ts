/**
 * Runs the curl-piped installers for real, as root, on this host's own file system — inside a private
 * mount namespace where /etc, /usr/local, /var/lib and /run are overlays. Everything an installer
 * writes lands in the overlays' upper directories, which the test reads ("what changed") and which vanish
 * with the sandbox; the host stays untouched. There is no systemd here (PID 1 is not systemd), so
 * /run/systemd/system exists only inside the sandbox and `systemctl` is a stub that records its calls;
 * the real systemd is the appliance test's (test/appliance).
 */
import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { onceComplete } from './processes.js';

/** The host directories the sandbox overlays: an installer writes nowhere else. */
const OVERLAID = ['/etc', '/usr/local', '/var/lib', '/run'] as const;
const NOBODY = 65534;

export interface SandboxRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SandboxOptions {
  /** Run as this uid/gid instead of root (the "no root" path). */
  uid?: number;
  /** `uname -m` answers this (the "unsupported architecture" path). */
  machine?: string;
  /** Leave /run/systemd/system out: a host without systemd. */
  withoutSystemd?: boolean;
  /** Hide curl from PATH, so the installer (and the pipe's fetch) must use wget. */
  withoutCurl?: boolean;
  /** `systemctl is-active` answers this after a restart (default "active"). */
  serviceState?: string;
}

export class InstallSandbox {
  readonly stubs: string;
  readonly tmp: string;

  private constructor(readonly dir: string) {
    this.stubs = path.join(dir, 'stubs');
    this.tmp = path.join(dir, 'tmp');
  }

  static create(): InstallSandbox {
    const sandbox = new InstallSandbox(mkdtempSync(path.join(os.tmpdir(), `pulse-install-${process.pid}-`)));
    for (const target of OVERLAID) {
      mkdirSync(sandbox.upper(target), { recursive: true });
      mkdirSync(sandbox.work(target), { recursive: true });
    }
    mkdirSync(sandbox.stubs);
    mkdirSync(sandbox.tmp);
    // The scripts run in here (TMPDIR): it must be empty again after every run, failed or not.
    chmodSync(sandbox.tmp, 0o1777);
    chmodSync(sandbox.dir, 0o755);
    sandbox.writeStub(
      'systemctl',
      `#!/bin/sh
# systemctl stand-in: records the call; is-active answers what the test set (systemd is not PID 1 here).
echo "$*" >> '${path.join(sandbox.dir, 'systemctl.log')}'
case $1 in
is-active) state=$(cat '${path.join(sandbox.dir, 'service-state')}' 2>/dev/null || echo active); echo "$state"; [ "$state" = active ] ;;
esac
`,
    );
    return sandbox;
  }

  private upper(target: string): string {
    return path.join(this.dir, 'upper', target.replaceAll('/', '_'));
  }

  private work(target: string): string {
    return path.join(this.dir, 'work', target.replaceAll('/', '_'));
  }

  private writeStub(name: string, text: string): void {
    writeFileSync(path.join(this.stubs, name), text, { mode: 0o755 });
  }

  /**
   * Runs `command` (a shell command line, e.g. `curl -s URL | sh -s -- --token T`) in the sandbox as root
   * (or `uid`), with the stubs first in PATH.
   */
  run(command: string, options: SandboxOptions = {}): Promise<SandboxRun> {
    rmSync(path.join(this.dir, 'uname'), { force: true });
    writeFileSync(path.join(this.dir, 'service-state'), `${options.serviceState ?? 'active'}\n`);
    let pathDirs = `${this.stubs}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`;
    if (options.machine) {
      this.writeStub('uname', `#!/bin/sh\nif [ "$1" = -m ]; then echo '${options.machine}'; else exec /usr/bin/uname "$@"; fi\n`);
    } else {
      rmSync(path.join(this.stubs, 'uname'), { force: true });
    }
    if (options.withoutCurl) pathDirs = `${this.stubs}:${this.binWithout('curl')}:/usr/sbin:/sbin`;
    const mounts = OVERLAID.map(
      (target) => `mount -t overlay overlay -o lowerdir=${target},upperdir=${this.upper(target)},workdir=${this.work(target)} ${target}`,
    );
    const systemd = options.withoutSystemd ? 'rm -rf /run/systemd/system' : 'mkdir -p /run/systemd/system';
    const runAs = options.uid === undefined ? '' : `setpriv --reuid=${options.uid} --regid=${options.uid} --clear-groups -- `;
    const inner = `set -e; ${mounts.join('; ')}; ${systemd}; cd /; set +e; exec ${runAs}sh -c "$1"`;
    return new Promise((resolve, reject) => {
      const child = spawn('unshare', ['--mount', '--propagation', 'private', '--', 'sh', '-c', inner, 'sandbox', command], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { PATH: pathDirs, TMPDIR: this.tmp, HOME: '/root', LANG: 'C.UTF-8' },
      });
      let stdout = '';
      let stderr = '';
      let code = -1;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.once('exit', (exitCode, signal) => (code = exitCode ?? (signal ? 128 : -1)));
      onceComplete(child, () => resolve({ code, stdout, stderr }));
    });
  }

  /** A directory of links to everything in /usr/bin and /bin except `hidden`. */
  private binWithout(hidden: string): string {
    const dir = path.join(this.dir, `bin-without-${hidden}`);
    if (existsSync(dir)) return dir;
    mkdirSync(dir);
    for (const source of ['/usr/bin', '/bin']) {
      for (const name of readdirSync(source)) {
        if (name === hidden || existsSync(path.join(dir, name))) continue;
        symlinkSync(path.join(source, name), path.join(dir, name));
      }
    }
    return dir;
  }

  /** Every path the runs so far created or changed under the overlaid directories (sorted, host paths). */
  changes(): string[] {
    return this.upperEntries()
      .filter((entry) => !entry.removed)
      .map((entry) => entry.hostPath);
  }

  /** Every host path the runs removed (overlayfs keeps a whiteout for each: a character device 0/0). */
  removals(): string[] {
    return this.upperEntries()
      .filter((entry) => entry.removed)
      .map((entry) => entry.hostPath);
  }

  private upperEntries(): { hostPath: string; removed: boolean }[] {
    const found: { hostPath: string; removed: boolean }[] = [];
    const walk = (dir: string, hostDir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const hostPath = path.posix.join(hostDir, entry.name);
        // The sandbox's own doing: systemd's "booted" marker.
        if (hostPath === '/run/systemd/system') continue;
        if (hostPath === '/run/systemd' && entry.isDirectory()) {
          walk(path.join(dir, entry.name), hostPath);
          continue;
        }
        found.push({ hostPath, removed: entry.isCharacterDevice() });
        if (entry.isDirectory()) walk(path.join(dir, entry.name), hostPath);
      }
    };
    for (const target of OVERLAID) walk(this.upper(target), target);
    return found.sort((a, b) => a.hostPath.localeCompare(b.hostPath));
  }

  /** Files the installer left in its TMPDIR (none, if it cleaned up). */
  leftoverTemp(): string[] {
    return readdirSync(this.tmp);
  }

  /** A file as the sandbox sees it (it must have been written by a run: read from the upper directory). */
  path(hostPath: string): string {
    const target = OVERLAID.find((dir) => hostPath.startsWith(`${dir}/`));
    if (!target) throw new Error(`${hostPath} is outside the sandbox's overlays`);
    return path.join(this.upper(target), hostPath.slice(target.length));
  }

  read(hostPath: string): string {
    return readFileSync(this.path(hostPath), 'utf8');
  }

  stat(hostPath: string) {
    return statSync(this.path(hostPath));
  }

  /** Puts a file into the sandbox as if a previous run (or the service) had made it. */
  write(hostPath: string, text: string, mode = 0o644): void {
    mkdirSync(path.dirname(this.path(hostPath)), { recursive: true });
    writeFileSync(this.path(hostPath), text, { mode });
  }

  /** The stub systemctl's calls, one string each ("daemon-reload", "restart lillydoo-pulse-agent.service"). */
  systemctlCalls(): string[] {
    const log = path.join(this.dir, 'systemctl.log');
    return existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : [];
  }

  clearSystemctlCalls(): void {
    rmSync(path.join(this.dir, 'systemctl.log'), { force: true });
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const NOBODY_UID = NOBODY;
