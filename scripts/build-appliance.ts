/**
 * `npm run build:appliance`: the LILLYDOO Pulse appliance, a bootable x86-64 disk image (BIOS and UEFI)
 * of Debian stable with the lillydoo-pulse package installed, as dist/appliance/*.raw and *.qcow2
 * (`--compress` adds *.raw.xz). What is in it and why: appliance/image/README.md.
 *
 *   1. the amd64 packages (scripts/build-packages.ts);
 *   2. mmdebstrap: a minimal Debian from apt's configured Debian sources, our .deb installed by apt,
 *      then appliance/image/customize.sh (nginx, first-boot units, networkd, sshd keys-only, ...);
 *   3. the disk, assembled from files with no loop device and no mount: GPT with a BIOS boot partition,
 *      an ESP and an ext4 root (mke2fs -d), GRUB images made by grub-mkimage from Debian's GRUB.
 *
 * Needs root (mmdebstrap's root mode) and the Debian packages listed in .ci/run.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPackages, debianVersion, DOWNLOADS_PACKAGE, packageFile, type Compression } from './build-packages.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const imageDir = path.join(root, 'appliance', 'image');
const work = path.join(root, 'build', 'appliance');
export const APPLIANCE_DIR = path.join(root, 'dist', 'appliance');
const aptCache = path.join(root, '.cache', 'appliance-apt');
const SUITE = 'bookworm';
const MiB = 1024 * 1024;

/** Debian packages of the image beyond minbase; every one from apt's configured Debian sources. */
const INCLUDE = [
  'systemd-sysv',
  'udev',
  'dbus',
  'systemd-resolved',
  'systemd-timesyncd',
  'linux-image-amd64',
  'zstd',
  'e2fsprogs',
  'kmod',
  'netbase',
  'iproute2',
  'procps',
  'ca-certificates',
  'curl',
  'openssl',
  'nginx-light',
  'openssh-server',
];

/**
 * Left out of the image, and out of later upgrades (dpkg keeps these excludes): documentation (copyright
 * files stay), and the kernel modules a monitoring appliance has no use for — sound, video capture, GPUs
 * (the console runs on the firmware's framebuffer), Wi-Fi, Bluetooth, InfiniBand, industrial I/O and
 * staging drivers. They are over 40 % of the kernel's modules; storage, Ethernet, USB, input and every
 * hypervisor's drivers stay.
 */
const MODULES = '/usr/lib/modules/*/kernel';
const DPKG_OPTIONS = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/locale/*',
  'path-exclude=/usr/share/lintian/*',
  ...[
    'sound',
    'drivers/media',
    'drivers/gpu',
    'drivers/net/wireless',
    'net/wireless',
    'net/mac80211',
    'drivers/bluetooth',
    'net/bluetooth',
    'drivers/infiniband',
    'drivers/iio',
    'drivers/staging',
    'drivers/comedi',
    'drivers/isdn',
    'drivers/nfc',
    'net/nfc',
  ].map((dir) => `path-exclude=${MODULES}/${dir}/*`),
];

const GPT_TYPE = {
  biosBoot: '21686148-6449-6E6F-744E-656564454649',
  esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B',
  rootX86_64: '4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709',
};
const BIOS_BOOT_START = 1 * MiB;
const BIOS_BOOT_SIZE = 1 * MiB;
const ESP_START = BIOS_BOOT_START + BIOS_BOOT_SIZE;
const ESP_SIZE = 64 * MiB;
const ROOT_START = ESP_START + ESP_SIZE;
/** GRUB modules built into both boot images; the rest load from /boot/grub/<platform>/ on the root. */
const GRUB_MODULES = [
  'part_gpt',
  'ext2',
  'search',
  'search_fs_uuid',
  'normal',
  'linux',
  'configfile',
  'serial',
  'terminal',
  'echo',
  'test',
];

function log(message: string): void {
  process.stderr.write(`[build:appliance] ${message}\n`);
}

function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string; inherit?: boolean } = {},
): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      encoding: 'utf8',
      input: options.input,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', options.inherit ? 'inherit' : 'pipe', options.inherit ? 'inherit' : 'pipe'],
      maxBuffer: 256 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function requireTools(): void {
  const tools: Record<string, string> = {
    mmdebstrap: 'mmdebstrap',
    mke2fs: 'e2fsprogs',
    'mkfs.vfat': 'dosfstools',
    mcopy: 'mtools',
    sfdisk: 'fdisk',
    'grub-mkimage': 'grub-common',
    'qemu-img': 'qemu-utils',
  };
  const missing = Object.entries(tools).filter(([tool]) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  for (const platform of ['i386-pc', 'x86_64-efi']) {
    if (!existsSync(`/usr/lib/grub/${platform}/normal.mod`))
      missing.push([platform, platform === 'i386-pc' ? 'grub-pc-bin' : 'grub-efi-amd64-bin']);
  }
  if (missing.length > 0) throw new Error(`missing tools: apt-get install ${[...new Set(missing.map(([, pkg]) => pkg))].join(' ')}`);
  if (process.getuid?.() !== 0) throw new Error('mmdebstrap builds the image as root (its root mode): run as root');
}

/**
 * apt's configured sources for Debian itself (signed by the Debian archive keyring or served from
 * *.debian.org), as one deb822 file: the image is built from exactly what apt here uses, and keeps it.
 */
export function debianSources(): string {
  const files = [
    '/etc/apt/sources.list',
    ...(existsSync('/etc/apt/sources.list.d')
      ? readdirSync('/etc/apt/sources.list.d').map((name) => path.join('/etc/apt/sources.list.d', name))
      : []),
  ].filter((file) => existsSync(file) && /\.(list|sources)$/.test(file));
  const stanzas: string[] = [];
  const isDebian = (text: string) => /debian-archive-keyring|\/\/[a-z.-]*debian\.org\//.test(text);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    if (file.endsWith('.sources')) {
      for (const stanza of text.split(/\n\s*\n/)) {
        const fields = stanza
          .split('\n')
          .filter((line) => !line.startsWith('#'))
          .join('\n')
          .trim();
        if (fields && isDebian(fields) && /^Suites:.*\bbookworm\b/m.test(fields) && !/^Enabled:\s*no/im.test(fields)) stanzas.push(fields);
      }
    } else {
      for (const line of text.split('\n')) {
        const match = /^deb\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s+(.+)$/.exec(line.trim());
        if (match && isDebian(line) && match[3].startsWith(SUITE)) {
          stanzas.push(
            `Types: deb\nURIs: ${match[2]}\nSuites: ${match[3]}\nComponents: ${match[4]}\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg`,
          );
        }
      }
    }
  }
  if (stanzas.length === 0) throw new Error(`apt has no Debian ${SUITE} sources configured (/etc/apt/sources.list*)`);
  return `${stanzas.join('\n\n')}\n`;
}

function timed<T>(label: string, timings: Record<string, number>, fn: () => T): T {
  const started = Date.now();
  const result = fn();
  timings[label] = (Date.now() - started) / 1000;
  log(`${label}: ${timings[label].toFixed(0)} s`);
  return result;
}

/** A failed mmdebstrap run can leave its bind mounts (of our .deb files) inside the root: undo them first. */
function unmountUnder(dir: string): void {
  const mounts = readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[1]?.replace(/\\040/g, ' '))
    .filter((mountPoint): mountPoint is string => !!mountPoint && (mountPoint === dir || mountPoint.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) run('umount', [mountPoint]);
}

function bootstrap(rootfs: string, debs: string[], rootUuid: string): void {
  const sources = path.join(work, 'debian.sources');
  writeFileSync(sources, debianSources());
  mkdirSync(aptCache, { recursive: true });
  unmountUnder(rootfs);
  rmSync(rootfs, { recursive: true, force: true });
  const args = [
    '--mode=root',
    '--variant=minbase',
    '--format=directory',
    '--skip=essential/unlink',
    `--include=${INCLUDE.join(',')}`,
    ...debs.map((deb) => `--include=${deb}`),
    '--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount',
    ...DPKG_OPTIONS.map((option) => `--dpkgopt=${option}`),
    // Packages fetched once are reused by the next build (apt checks their hashes).
    `--setup-hook=mkdir -p "$1/var/cache/apt/archives" && cp -l ${aptCache}/*.deb "$1/var/cache/apt/archives/" 2>/dev/null || true`,
    `--customize-hook=${path.join(imageDir, 'customize.sh')} "$1"`,
    `--customize-hook=cp -n -l "$1"/var/cache/apt/archives/*.deb ${aptCache}/ 2>/dev/null || cp -n "$1"/var/cache/apt/archives/*.deb ${aptCache}/; rm -f ${aptCache}/lillydoo-pulse*.deb`,
    SUITE,
    rootfs,
    sources,
  ];
  run('mmdebstrap', args, { env: { ...process.env, PULSE_ROOT_FS_UUID: rootUuid }, inherit: true });
}

function duBytes(dir: string): number {
  return Number(run('du', ['-sb', '--apparent-size', dir]).split('\t')[0]);
}

function writeGrubConfig(rootfs: string, rootUuid: string): string {
  const kernelArgs = `root=UUID=${rootUuid} ro console=tty0 console=ttyS0,115200n8`;
  const grubDir = path.join(rootfs, 'boot', 'grub');
  mkdirSync(grubDir, { recursive: true });
  // /vmlinuz and /initrd.img are the links Debian's kernel packages keep on the newest kernel (and .old
  // on the one before), so kernel upgrades by apt need no boot loader update.
  writeFileSync(
    path.join(grubDir, 'grub.cfg'),
    `# LILLYDOO Pulse appliance (scripts/build-appliance.ts). Kernel upgrades need no change here.
serial --unit=0 --speed=115200
terminal_input console serial
terminal_output console serial
set timeout=1
set default=0
search --no-floppy --fs-uuid --set=root ${rootUuid}
menuentry 'LILLYDOO Pulse' {
	linux /vmlinuz ${kernelArgs}
	initrd /initrd.img
}
if [ -f /vmlinuz.old ]; then
	menuentry 'LILLYDOO Pulse (previous kernel)' {
		linux /vmlinuz.old ${kernelArgs}
		initrd /initrd.img.old
	}
fi
`,
  );
  // The rest of GRUB's modules, where grub-install would put them.
  for (const platform of ['i386-pc', 'x86_64-efi']) {
    cpSync(`/usr/lib/grub/${platform}`, path.join(grubDir, platform), {
      recursive: true,
      filter: (file) => !/\.(image|exec|module)$/.test(file),
    });
  }
  const early = path.join(work, 'grub-early.cfg');
  writeFileSync(early, `search --no-floppy --fs-uuid --set=root ${rootUuid}\nset prefix=($root)/boot/grub\n`);
  return early;
}

/** GRUB for BIOS: boot.img in the MBR, core.img in the BIOS boot partition. */
function installBiosBoot(disk: string, earlyConfig: string): void {
  const core = path.join(work, 'core.img');
  run('grub-mkimage', ['-O', 'i386-pc', '-o', core, '-p', '/boot/grub', '-c', earlyConfig, 'biosdisk', ...GRUB_MODULES]);
  const coreImage = readFileSync(core);
  if (coreImage.length > BIOS_BOOT_SIZE) throw new Error(`core.img is ${coreImage.length} bytes, larger than the BIOS boot partition`);
  // grub-bios-setup does exactly these two patches but insists on opening the block device that holds
  // its own directory, which an image file built without loop devices has not got. The offsets are
  // GRUB's on-disk format (include/grub/i386/pc/boot.h, diskboot.S), unchanged since GRUB 2.00.
  const coreSector = BIOS_BOOT_START / 512;
  // diskboot.img's block list (last 12 bytes of core.img's first sector): where the rest of core.img is.
  coreImage.writeBigUInt64LE(BigInt(coreSector + 1), 0x200 - 12);
  const bootImage = readFileSync('/usr/lib/grub/i386-pc/boot.img');
  const fd = openSync(disk, 'r+');
  try {
    const mbr = Buffer.alloc(512);
    readSync(fd, mbr, 0, 512, 0);
    // boot.img's code around the existing BIOS parameter block; the partition table stays.
    bootImage.copy(mbr, 0, 0, 0x03);
    bootImage.copy(mbr, 0x5a, 0x5a, 0x1b8);
    mbr.writeBigUInt64LE(BigInt(coreSector), 0x5c); // GRUB_BOOT_MACHINE_KERNEL_SECTOR
    mbr[0x66] = 0x90; // GRUB_BOOT_MACHINE_DRIVE_CHECK: a hard disk, as grub-bios-setup sets it
    mbr[0x67] = 0x90;
    writeSync(fd, mbr, 0, 512, 0);
    writeSync(fd, coreImage, 0, coreImage.length, BIOS_BOOT_START);
  } finally {
    closeSync(fd);
  }
}

/** GRUB for UEFI: \EFI\BOOT\BOOTX64.EFI on a FAT ESP (the removable-media path every firmware tries). */
function makeEsp(earlyConfig: string): string {
  const efi = path.join(work, 'BOOTX64.EFI');
  run('grub-mkimage', ['-O', 'x86_64-efi', '-o', efi, '-p', '/boot/grub', '-c', earlyConfig, ...GRUB_MODULES]);
  const esp = path.join(work, 'esp.img');
  rmSync(esp, { force: true });
  run('mkfs.vfat', ['-F', '32', '-n', 'PULSE-ESP', '-C', esp, String(ESP_SIZE / 1024)]);
  const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
  run('mmd', ['-i', esp, '::/EFI', '::/EFI/BOOT'], { env });
  run('mcopy', ['-i', esp, efi, '::/EFI/BOOT/BOOTX64.EFI'], { env });
  return esp;
}

function assembleDisk(rootfs: string, rootUuid: string, output: string): { rootSize: number; diskSize: number } {
  const early = writeGrubConfig(rootfs, rootUuid);
  // Room for logs and data until the first boot grows the root file system over the whole disk.
  const rootSize = Math.ceil((duBytes(rootfs) * 1.25 + 384 * MiB) / (64 * MiB)) * 64 * MiB;
  const rootImage = path.join(work, 'root.ext4');
  rmSync(rootImage, { force: true });
  run('mke2fs', [
    '-q',
    '-t',
    'ext4',
    '-L',
    'pulse-root',
    '-U',
    rootUuid,
    '-d',
    rootfs,
    '-E',
    'root_owner=0:0',
    rootImage,
    `${rootSize / 1024}k`,
  ]);
  const esp = makeEsp(early);
  const diskSize = ROOT_START + rootSize + 1 * MiB; // + the backup GPT
  const partial = `${output}.partial`;
  rmSync(partial, { force: true });
  run('truncate', ['-s', String(diskSize), partial]);
  run('sfdisk', ['--quiet', '--no-reread', '--no-tell-kernel', partial], {
    input: [
      'label: gpt',
      `start=${BIOS_BOOT_START / 512}, size=${BIOS_BOOT_SIZE / 512}, type=${GPT_TYPE.biosBoot}, name="bios-boot"`,
      `start=${ESP_START / 512}, size=${ESP_SIZE / 512}, type=${GPT_TYPE.esp}, name="esp"`,
      `start=${ROOT_START / 512}, size=${rootSize / 512}, type=${GPT_TYPE.rootX86_64}, name="root"`,
      '',
    ].join('\n'),
  });
  for (const [file, offset] of [
    [esp, ESP_START],
    [rootImage, ROOT_START],
  ] as const) {
    run('dd', [`if=${file}`, `of=${partial}`, 'bs=1M', `seek=${offset / MiB}`, 'conv=notrunc,sparse', 'status=none']);
  }
  installBiosBoot(partial, early);
  renameSync(partial, output);
  rmSync(rootImage, { force: true });
  rmSync(esp, { force: true });
  return { rootSize, diskSize };
}

export interface ApplianceBuild {
  raw: string;
  qcow2: string;
  xz: string | null;
  version: string;
  timings: Record<string, number>;
}

export function applianceBaseName(version = debianVersion()): string {
  return `lillydoo-pulse-${version}-amd64`;
}

export interface ApplianceOptions {
  /** Also write *.raw.xz (minutes of CPU). */
  compress?: boolean;
  /** How the packages installed into the image are packed (the image's files are the same either way). */
  packageCompression?: Compression;
  /** `qemu-img convert -c` (default): a qcow2 a third of the size, for minutes of CPU. */
  compressQcow2?: boolean;
  /**
   * Keep the image of the last build when none of its inputs changed (our packages, appliance/image,
   * appliance/nginx, this script, apt's sources): the test stage. A release build always bootstraps
   * afresh, so it gets Debian's current packages.
   */
  reuse?: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

/** What the image is made of, short of Debian's packages themselves. */
function imageInputsDigest(debs: string[], options: ApplianceOptions): string {
  const hash = createHash('sha256').update(JSON.stringify({ INCLUDE, DPKG_OPTIONS, GRUB_MODULES, qcow2: options.compressQcow2 !== false }));
  hash.update(debianSources());
  // build-packages rewrites a package only when its inputs changed: name, size and time stand for its contents.
  for (const deb of debs) hash.update(`${path.basename(deb)} ${statSync(deb).size} ${statSync(deb).mtimeMs}\n`);
  for (const file of [...filesUnder(imageDir), ...filesUnder(path.join(root, 'appliance', 'nginx')), fileURLToPath(import.meta.url)]) {
    hash.update(path.relative(root, file)).update(readFileSync(file));
  }
  return hash.digest('hex');
}

export async function buildAppliance(options: ApplianceOptions = {}): Promise<ApplianceBuild> {
  requireTools();
  const timings: Record<string, number> = {};
  const started = Date.now();
  await buildPackages({ arches: ['x64'], compression: options.packageCompression });
  timings.packages = (Date.now() - started) / 1000;
  const version = debianVersion();
  mkdirSync(work, { recursive: true });
  mkdirSync(APPLIANCE_DIR, { recursive: true });
  const rootfs = path.join(work, 'rootfs');
  const rootUuid = randomUUID();
  const base = path.join(APPLIANCE_DIR, applianceBaseName(version));
  const debs = [packageFile('lillydoo-pulse', 'x64', version), packageFile(DOWNLOADS_PACKAGE, 'all', version)];
  const digest = imageInputsDigest(debs, options);
  const stamp = `${base}.inputs.digest`;
  if (options.reuse && existsSync(`${base}.raw`) && existsSync(`${base}.qcow2`) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    log(`${path.basename(base)}: inputs unchanged, the image of the last build is kept`);
    return { raw: `${base}.raw`, qcow2: `${base}.qcow2`, xz: null, version, timings: { ...timings, reused: 1 } };
  }
  rmSync(stamp, { force: true });
  timed('mmdebstrap', timings, () => bootstrap(rootfs, debs, rootUuid));
  const { rootSize } = timed('disk', timings, () => assembleDisk(rootfs, rootUuid, `${base}.raw`));
  rmSync(rootfs, { recursive: true, force: true });
  timed('qcow2', timings, () => {
    rmSync(`${base}.qcow2`, { force: true });
    const compress = options.compressQcow2 === false ? [] : ['-c'];
    run('qemu-img', ['convert', ...compress, '-f', 'raw', '-O', 'qcow2', `${base}.raw`, `${base}.qcow2.partial`]);
    renameSync(`${base}.qcow2.partial`, `${base}.qcow2`);
  });
  let xz: string | null = null;
  if (options.compress) {
    xz = `${base}.raw.xz`;
    const target = xz;
    timed('xz', timings, () => {
      run('sh', ['-c', `xz -T0 -6 -c "$1" > "$2.partial" && mv "$2.partial" "$2"`, 'xz', `${base}.raw`, target]);
    });
  }
  timings.total = (Date.now() - started) / 1000;
  const size = (file: string) => `${(statSync(file).size / MiB).toFixed(0)} MiB`;
  const allocated = (file: string) => `${((statSync(file).blocks * 512) / MiB).toFixed(0)} MiB`;
  log(`${path.basename(base)}.raw: ${size(`${base}.raw`)} (${allocated(`${base}.raw`)} allocated, root file system ${rootSize / MiB} MiB)`);
  log(`${path.basename(base)}.qcow2: ${size(`${base}.qcow2`)}`);
  if (xz) log(`${path.basename(xz)}: ${size(xz)}`);
  log(`built in ${timings.total.toFixed(0)} s`);
  writeFileSync(`${base}.build.json`, JSON.stringify({ version, rootUuid, timings }, null, 2));
  writeFileSync(stamp, digest);
  return { raw: `${base}.raw`, qcow2: `${base}.qcow2`, xz, version, timings };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  buildAppliance({ compress: process.argv.includes('--compress') }).catch((error: Error) => {
    process.stderr.write(`[build:appliance] failed: ${error.message}\n`);
    process.exit(1);
  });
}
