/**
 * `npm run build:packages`: the Debian packages lillydoo-pulse, lillydoo-pulse-agent and
 * lillydoo-pulse-poller for amd64 and arm64, into dist/deb/.
 *
 * Built with debhelper (`dpkg-buildpackage -b -a <arch>`) from appliance/deb/debian/, so the maintainer
 * scripts get the standard deb-systemd-helper / deb-systemd-invoke snippets, /etc files become conffiles
 * and the changelog, md5sums and permissions are what lintian expects. Nothing is compiled: the single
 * executables of scripts/build-binaries.ts are staged next to the debian/ directory together with the
 * units and the sysusers file of appliance/systemd/ (the one source of truth for both).
 *
 * lillydoo-pulse depends on lillydoo-pulse-downloads (Architecture: all, built once for both arches): every
 * agent and poller executable (amd64 and arm64) with a .sha256 file each, in /usr/lib/lillydoo-pulse/downloads/,
 * for the server's /downloads route. Unchanged inputs are not rebuilt.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROLE_NAMES, ROLES, type Role } from '../app/runtime/roles.js';
import { BIN_DIR, buildBinaries, type Arch } from './build-binaries.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const applianceDir = path.join(root, 'appliance');
const work = path.join(root, 'build', 'deb');
export const DEB_DIR = path.join(root, 'dist', 'deb');
export const DEB_ARCH: Record<Arch, string> = { x64: 'amd64', arm64: 'arm64' };
/** Built for amd64 and arm64 each. */
export const PACKAGES = ['lillydoo-pulse', 'lillydoo-pulse-agent', 'lillydoo-pulse-poller'] as const;
/** Architecture: all, built once: the agent and poller executables of both arches that the server serves. */
export const DOWNLOADS_PACKAGE = 'lillydoo-pulse-downloads';
/** Where lillydoo-pulse-downloads puts the agent and poller executables: the server's `[downloads] dir`. */
export const DOWNLOADS_DIR = '/usr/lib/lillydoo-pulse/downloads';
const DEFAULT_MAINTAINER = 'LILLYDOO Pulse maintainers <maintainers@users.noreply.b-seed-07f7a465.example>';

function log(message: string): void {
  process.stderr.write(`[build:packages] ${message}\n`);
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function requireTools(): void {
  const missing = ['dpkg-buildpackage', 'dh', 'dpkg-deb'].filter((tool) => {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
  if (missing.length > 0) throw new Error(`${missing.join(', ')} not found: apt-get install dpkg-dev debhelper`);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .sort();
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** The Debian version: package.json's, plus `~<suffix>` from PULSE_DEB_VERSION_SUFFIX for test builds. */
export function debianVersion(): string {
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const suffix = process.env.PULSE_DEB_VERSION_SUFFIX;
  return suffix ? `${version}+${suffix}` : version;
}

/** RFC 2822 date of the last commit (reproducible), or now outside a git checkout. */
function changelogDate(): string {
  try {
    return run('git', ['log', '-1', '--format=%aD']).trim() || new Date().toUTCString();
  } catch {
    return new Date().toUTCString().replace('GMT', '+0000');
  }
}

function writeChangelog(file: string, version: string, maintainer: string): void {
  writeFileSync(
    file,
    `lillydoo-pulse (${version}) stable; urgency=medium\n\n` +
      `  * Built from the LILLYDOO Pulse sources by scripts/build-packages.ts.\n\n` +
      ` -- ${maintainer}  ${changelogDate()}\n`,
  );
}

/** Hard links: the staged executables are 100+ MB each, and build/ and dist/ share a file system. */
function stage(source: string, target: string): void {
  mkdirSync(path.dirname(target), { recursive: true });
  rmSync(target, { force: true });
  try {
    linkSync(source, target);
  } catch {
    cpSync(source, target);
  }
}

function executableName(role: Role, arch: Arch): string {
  return `${ROLES[role].executable}-linux-${arch}`;
}

/** One arch's source tree: debian/ from appliance/deb, the units, and the executables to package. */
function stageSource(arch: Arch, version: string, maintainer: string, withDownloads: boolean): string {
  const sourceDir = path.join(work, DEB_ARCH[arch], `lillydoo-pulse-${version}`);
  rmSync(path.dirname(sourceDir), { recursive: true, force: true });
  mkdirSync(sourceDir, { recursive: true });
  for (const part of ['debian', 'etc', 'examples', 'man']) {
    cpSync(path.join(applianceDir, 'deb', part), path.join(sourceDir, part), { recursive: true });
  }
  const control = path.join(sourceDir, 'debian', 'control');
  writeFileSync(control, readFileSync(control, 'utf8').replace('@MAINTAINER@', maintainer));
  writeChangelog(path.join(sourceDir, 'debian', 'changelog'), version, maintainer);
  for (const name of PACKAGES) {
    cpSync(path.join(applianceDir, 'systemd', `${name}.service`), path.join(sourceDir, 'debian', `${name}.service`));
  }
  cpSync(path.join(applianceDir, 'systemd', 'lillydoo-pulse.sysusers'), path.join(sourceDir, 'sysusers', 'lillydoo-pulse.conf'));
  for (const role of ROLE_NAMES) {
    stage(path.join(BIN_DIR, executableName(role, arch)), path.join(sourceDir, 'bin', ROLES[role].executable));
  }
  for (const role of withDownloads ? (['agent', 'poller'] as const) : []) {
    for (const target of Object.keys(DEB_ARCH) as Arch[]) {
      const name = executableName(role, target);
      const file = path.join(BIN_DIR, name);
      stage(file, path.join(sourceDir, 'downloads', name));
      // sha256sum's format, so `sha256sum -c NAME.sha256` verifies a download next to it.
      writeFileSync(path.join(sourceDir, 'downloads', `${name}.sha256`), `${sha256File(file)}  ${name}\n`);
    }
  }
  return sourceDir;
}

function inputsDigest(version: string, maintainer: string, arch: Arch, withDownloads: boolean, compression: Compression): string {
  const hash = createHash('sha256').update(`${version}\n${maintainer}\n${arch}\n${withDownloads}\n${compression}\n`);
  const inputs = [
    ...filesUnder(path.join(applianceDir, 'deb')),
    ...filesUnder(path.join(applianceDir, 'systemd')),
    ...ROLE_NAMES.map((role) => path.join(BIN_DIR, executableName(role, arch))),
    ...(['agent', 'poller'] as const).flatMap((role) =>
      (Object.keys(DEB_ARCH) as Arch[]).map((a) => path.join(BIN_DIR, executableName(role, a))),
    ),
  ];
  for (const file of inputs) {
    // The executables' own build digests stand for their contents (hashing 700 MB per run is slow).
    const stamp = path.join(path.dirname(file), `.${path.basename(file)}.digest`);
    hash.update(path.relative(root, file)).update(file.startsWith(BIN_DIR) && existsSync(stamp) ? readFileSync(stamp) : readFileSync(file));
  }
  return hash.digest('hex');
}

export function packageFile(name: string, arch: Arch | 'all', version = debianVersion()): string {
  return path.join(DEB_DIR, `${name}_${version}_${arch === 'all' ? 'all' : DEB_ARCH[arch]}.deb`);
}

/**
 * How dpkg-deb packs the data: `xz` (level 1) for packages that are shipped, `gzip` (level 1) for the test stage,
 * which builds, lints and installs them on this machine only: xz costs minutes of CPU for ten 100+ MB
 * executables, and their contents are the same either way.
 */
export type Compression = 'xz' | 'gzip';

export async function buildPackages(options: { arches?: Arch[]; force?: boolean; compression?: Compression } = {}): Promise<string[]> {
  requireTools();
  const compression = options.compression ?? 'xz';
  const arches = options.arches ?? (Object.keys(DEB_ARCH) as Arch[]);
  const version = debianVersion();
  const maintainer = process.env.PULSE_DEB_MAINTAINER || DEFAULT_MAINTAINER;
  // Every package arch carries both arches' agent and poller executables for /downloads.
  await buildBinaries({ arches: Object.keys(DEB_ARCH) as Arch[] });
  mkdirSync(DEB_DIR, { recursive: true });
  const built: string[] = [];
  for (const [index, arch] of arches.entries()) {
    // The first arch built also makes the Architecture: all package (dpkg-buildpackage -b, else -B).
    const withDownloads = index === 0;
    const debs = [
      ...PACKAGES.map((name) => packageFile(name, arch, version)),
      ...(withDownloads ? [packageFile(DOWNLOADS_PACKAGE, 'all', version)] : []),
    ];
    const digest = inputsDigest(version, maintainer, arch, withDownloads, compression);
    const stamp = path.join(DEB_DIR, `.${DEB_ARCH[arch]}${withDownloads ? '+all' : ''}.digest`);
    if (!options.force && debs.every((deb) => existsSync(deb)) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
      log(`${DEB_ARCH[arch]}${withDownloads ? ' and all' : ''} packages are up to date`);
      built.push(...debs);
      continue;
    }
    const started = Date.now();
    const sourceDir = stageSource(arch, version, maintainer, withDownloads);
    log(
      `dpkg-buildpackage ${withDownloads ? '-b' : '-B'} --host-arch=${DEB_ARCH[arch]}` +
        (compression === 'xz' ? ' (compressing the executables takes minutes)' : ' (gzip -1)'),
    );
    run('dpkg-buildpackage', [withDownloads ? '-b' : '-B', `--host-arch=${DEB_ARCH[arch]}`, '-d', '--no-sign'], {
      cwd: sourceDir,
      env: { ...process.env, DEB_BUILD_OPTIONS: 'nocheck', PULSE_DEB_COMPRESSION: compression },
    });
    for (const deb of debs) {
      const producedIn = path.join(path.dirname(sourceDir), path.basename(deb));
      rmSync(deb, { force: true });
      renameSync(producedIn, deb);
      log(`${path.basename(deb)}: ${(statSync(deb).size / 1024 / 1024).toFixed(1)} MB`);
    }
    writeFileSync(stamp, digest);
    rmSync(path.dirname(sourceDir), { recursive: true, force: true });
    log(`${path.basename(stamp, '.digest').slice(1)} packages built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    built.push(...debs);
  }
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arches = args.filter((arg) => arg === 'x64' || arg === 'arm64') as Arch[];
  buildPackages({
    arches: arches.length > 0 ? arches : undefined,
    force: args.includes('--force'),
    compression: args.includes('--gzip') ? 'gzip' : 'xz',
  }).catch((error: Error) => {
    process.stderr.write(`[build:packages] failed: ${error.message}\n`);
    process.exit(1);
  });
}
