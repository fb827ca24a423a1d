/**
 * The appliance image booted for real under QEMU (KVM when /dev/kvm works, else TCG emulation), headless,
 * with its ports forwarded to 127.0.0.1 only and the guest cut off from every other network
 * (`-netdev user,restrict=on`). The image file itself is never written: each boot runs on a qcow2 overlay.
 *
 * Commands run inside the guest over SSH as root. The shipped image has no key and no password: the test's
 * public key reaches the guest only at this boot, as the systemd credential ssh.authorized_keys.root in an
 * SMBIOS type 11 string, which systemd-tmpfiles provisions (the same path an operator uses).
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './ports.js';
import { startProcess, type TestProcess } from './processes.js';
import { waitUntil } from './wait.js';

export type Firmware = 'bios' | 'uefi';

const OVMF_CODE = '/usr/share/OVMF/OVMF_CODE_4M.fd';
const OVMF_VARS = '/usr/share/OVMF/OVMF_VARS_4M.fd';

let kvmChecked: boolean | undefined;
/** Set once KVM failed to boot the image here; every later boot uses TCG straight away. */
let kvmFailure: string | null = null;

/**
 * Whether to try KVM: /dev/kvm exists and QEMU starts a machine with it (PULSE_TEST_QEMU_ACCEL=kvm|tcg
 * decides instead). Some nested hypervisors pass that and still cannot boot the image — on the machine
 * this was written on, SeaBIOS runs and hands over to GRUB, which never prints a line — so `boot()` gives
 * KVM twenty seconds to reach the kernel and then starts over under TCG, for this boot and every later one.
 */
export function kvmUsable(): boolean {
  const forced = process.env.PULSE_TEST_QEMU_ACCEL;
  if (forced === 'kvm' || forced === 'tcg') return forced === 'kvm';
  if (kvmFailure) return false;
  if (kvmChecked !== undefined) return kvmChecked;
  if (!existsSync('/dev/kvm')) return (kvmChecked = false);
  const probe = spawnSync(
    'qemu-system-x86_64',
    ['-machine', 'q35,accel=kvm', '-cpu', 'host', '-nodefaults', '-display', 'none', '-S', '-monitor', 'stdio'],
    { input: 'quit\n', timeout: 30_000, encoding: 'utf8' },
  );
  return (kvmChecked = probe.status === 0);
}

/**
 * With KVM working, the kernel's first line reaches the serial line within seconds of power-on (GRUB waits
 * one second); twenty are generous, and every second more is lost on a host where KVM cannot boot it.
 */
const KVM_KERNEL_WITHIN_MS = 20_000;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface HttpsAnswer {
  status: number;
  text: string;
  json: any;
  /** SHA-256 fingerprint of the certificate the server presented, "AB:CD:…" as openssl prints it. */
  fingerprint: string;
}

export class ApplianceVm {
  private qemu: TestProcess | null = null;
  private accel: 'kvm' | 'tcg' = 'tcg';
  /** When QEMU last powered the machine on (Date.now()). */
  launchedAt = 0;
  readonly serialLog: string;
  private constructor(
    readonly dir: string,
    readonly firmware: Firmware,
    readonly ports: { https: number; http: number; ssh: number },
    private readonly sshKey: string,
    private readonly image: string,
    private readonly diskGiB: number,
    private readonly machineArgs: string[],
  ) {
    this.serialLog = path.join(dir, 'serial.log');
  }

  /** A VM on a throwaway overlay of `image` (raw or qcow2), grown to `diskGiB` so the first boot grows the root. */
  static async create(options: {
    image: string;
    firmware: Firmware;
    sshKey: string;
    diskGiB?: number;
    memoryMiB?: number;
  }): Promise<ApplianceVm> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-vm-'));
    const ports = { https: await freePort(), http: await freePort(), ssh: await freePort() };
    const publicKey = readFileSync(`${options.sshKey}.pub`, 'utf8').trim();
    const args = [
      '-smp',
      '2',
      '-m',
      String(options.memoryMiB ?? 1024),
      '-nodefaults',
      '-no-user-config',
      '-display',
      'none',
      '-chardev',
      `file,id=serial0,path=${path.join(dir, 'serial.log')}`,
      '-serial',
      'chardev:serial0',
      '-device',
      'virtio-rng-pci',
      '-drive',
      `if=virtio,file=${path.join(dir, 'disk.qcow2')},format=qcow2,discard=unmap`,
      // restrict=on: the guest reaches nothing but these forwards, which listen on 127.0.0.1 only.
      '-netdev',
      `user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:${ports.https}-:443,hostfwd=tcp:127.0.0.1:${ports.http}-:80,hostfwd=tcp:127.0.0.1:${ports.ssh}-:22`,
      // romfile=: no network boot ROM (the disk boots), so QEMU needs no iPXE package.
      '-device',
      'virtio-net-pci,netdev=net0,romfile=',
      '-smbios',
      `type=11,value=io.systemd.credential.binary:ssh.authorized_keys.root=${Buffer.from(`${publicKey}\n`).toString('base64')}`,
    ];
    if (options.firmware === 'uefi') {
      args.push(
        '-drive',
        `if=pflash,format=raw,unit=0,readonly=on,file=${OVMF_CODE}`,
        '-drive',
        `if=pflash,format=raw,unit=1,file=${path.join(dir, 'OVMF_VARS.fd')}`,
      );
    }
    return new ApplianceVm(dir, options.firmware, ports, options.sshKey, options.image, options.diskGiB ?? 4, args);
  }

  get accelerator(): 'kvm' | 'tcg' {
    return this.accel;
  }

  /** A fresh overlay (and UEFI variable store): the machine as it leaves the factory. */
  private freshDisk(): void {
    const format = this.image.endsWith('.qcow2') ? 'qcow2' : 'raw';
    rmSync(path.join(this.dir, 'disk.qcow2'), { force: true });
    rmSync(this.serialLog, { force: true });
    const created = spawnSync(
      'qemu-img',
      ['create', '-q', '-f', 'qcow2', '-F', format, '-b', path.resolve(this.image), path.join(this.dir, 'disk.qcow2'), `${this.diskGiB}G`],
      { encoding: 'utf8' },
    );
    if (created.status !== 0) throw new Error(`qemu-img create failed: ${created.stderr}`);
    if (this.firmware === 'uefi') copyFileSync(OVMF_VARS, path.join(this.dir, 'OVMF_VARS.fd'));
  }

  private launch(accel: 'kvm' | 'tcg'): void {
    this.accel = accel;
    this.freshDisk();
    const cpu = accel === 'kvm' ? ['-machine', 'q35,accel=kvm', '-cpu', 'host'] : ['-machine', 'q35,accel=tcg', '-cpu', 'max'];
    this.launchedAt = Date.now();
    this.qemu = startProcess('qemu-system-x86_64', [...cpu, ...this.machineArgs], { label: `qemu (${this.firmware}, ${accel})` });
  }

  /**
   * Powers the machine on from a fresh disk. With KVM, the kernel must reach the serial line within twenty
   * seconds; if it does not (or KVM fails outright), the boot starts over under TCG emulation.
   */
  async boot(): Promise<void> {
    if (!kvmUsable()) return this.launch('tcg');
    this.launch('kvm');
    try {
      await this.waitForSerial(/Linux version \d/, KVM_KERNEL_WITHIN_MS);
    } catch (error) {
      kvmFailure = `${this.firmware}: ${(error as Error).message.split('\n')[0]}`;
      await this.qemu?.kill();
      this.launch('tcg');
    }
  }

  /** Why KVM was given up, if it was. */
  static get kvmFailure(): string | null {
    return kvmFailure;
  }

  get running(): boolean {
    return this.qemu?.running ?? false;
  }

  serial(): string {
    return existsSync(this.serialLog) ? readFileSync(this.serialLog, 'latin1') : '';
  }

  /** Waits for `pattern` in the serial output (console and kernel messages) after `from` characters. */
  async waitForSerial(pattern: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    return waitUntil(
      `${pattern} on the ${this.firmware} guest's serial line`,
      () => {
        if (this.qemu && !this.qemu.running)
          throw new Error(`QEMU exited (${this.qemu.exitCode ?? this.qemu.signal}):\n${this.qemu.output()}\n${this.serial().slice(-4000)}`);
        return pattern.exec(this.serial().slice(from)) ?? undefined;
      },
      timeoutMs,
    );
  }

  /** A shell command inside the guest as root, over SSH; never rejects on a non-zero exit. */
  exec(command: string, options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<CommandResult> {
    const args = [
      '-i',
      this.sshKey,
      '-p',
      String(this.ports.ssh),
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=10',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      'root@127.0.0.1',
      command,
    ];
    return new Promise((resolve, reject) => {
      const child = spawn('ssh', args, { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.on('error', reject);
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 255 : 0), stdout, stderr });
      });
      // While the guest reboots, QEMU's forward accepts and resets at once, so ssh may exit before it has
      // read its input: that write fails with EPIPE, and ssh's exit code (255) already says what happened.
      child.stdin.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EPIPE') reject(error);
      });
      child.stdin.end(options.input ?? '');
    });
  }

  /** Like exec, but a non-zero exit is an error that shows the command's output. */
  async sh(command: string, options: { input?: string | Buffer; timeoutMs?: number } = {}): Promise<string> {
    const result = await this.exec(command, options);
    if (result.code !== 0) throw new Error(`guest: ${command} exited ${result.code}:\n${result.stdout}\n${result.stderr}`);
    return result.stdout;
  }

  /** A local file into the guest (no scp: the image need not carry an SFTP server). */
  async copyIn(localFile: string, guestPath: string): Promise<void> {
    await this.sh(`cat > '${guestPath}'`, { input: readFileSync(localFile), timeoutMs: 300_000 });
  }

  async waitForSsh(timeoutMs: number): Promise<void> {
    await waitUntil(
      `SSH into the ${this.firmware} guest`,
      async () => (await this.exec('true', { timeoutMs: 15_000 })).code === 0,
      timeoutMs,
    );
  }

  /** An HTTPS request through the guest's nginx on the forwarded port (the certificate is self-signed). */
  https(method: string, urlPath: string, options: { token?: string; json?: unknown } = {}): Promise<HttpsAnswer> {
    const body = options.json === undefined ? undefined : JSON.stringify(options.json);
    return new Promise((resolve, reject) => {
      const request = https.request(
        {
          host: '127.0.0.1',
          port: this.ports.https,
          path: urlPath,
          method,
          rejectUnauthorized: false,
          timeout: 15_000,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}),
          },
        },
        (response) => {
          const fingerprint = (response.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256;
          let text = '';
          response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
          response.on('end', () => {
            let json: unknown = null;
            try {
              json = JSON.parse(text);
            } catch {
              json = null;
            }
            resolve({ status: response.statusCode ?? 0, text, json, fingerprint });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error('HTTPS request timed out')));
      request.on('error', reject);
      request.end(body);
    });
  }

  /** Resolves with the first 200 from /healthz over HTTPS. */
  async waitForHttps(timeoutMs: number): Promise<HttpsAnswer> {
    return waitUntil(
      `HTTPS 200 from /healthz on 127.0.0.1:${this.ports.https} (${this.firmware})`,
      async () => {
        if (this.qemu && !this.qemu.running) throw new Error(`QEMU exited:\n${this.qemu.output()}\n${this.serial().slice(-4000)}`);
        try {
          const answer = await this.https('GET', '/healthz');
          return answer.status === 200 ? answer : undefined;
        } catch {
          return undefined;
        }
      },
      timeoutMs,
    );
  }

  /** Clean power-off from inside; QEMU exits when the guest has shut down. */
  async powerOff(timeoutMs = 120_000): Promise<void> {
    if (!this.qemu?.running) return;
    await this.exec('systemctl poweroff', { timeoutMs: 15_000 });
    await waitUntil(`the ${this.firmware} guest to power off`, () => !this.qemu!.running, timeoutMs).catch(() => undefined);
    await this.stop();
  }

  /** Stops QEMU by its pid (after a clean power-off it has exited already) and removes the overlay. */
  async stop(): Promise<void> {
    await this.qemu?.stop(5_000);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
