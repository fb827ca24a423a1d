/**
 * The Debian packages of npm run build:packages, as dpkg and lintian see them: names, dependencies,
 * conffiles, maintainer scripts, the units and executables inside. Installing, starting, removing and
 * purging them for real happens in the booted appliance (appliance.spec.ts). Runs in `npm run
 * test:appliance` (PULSE_TEST_APPLIANCE=1), which builds them first.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { BIN_DIR, type Arch } from '../../scripts/build-binaries.js';
import { DEB_ARCH, DOWNLOADS_DIR, DOWNLOADS_PACKAGE, PACKAGES, packageFile } from '../../scripts/build-packages.js';

const enabled = process.env.PULSE_TEST_APPLIANCE === '1';
const root = fileURLToPath(new URL('../../../', import.meta.url));
const ARCHES: Arch[] = ['x64', 'arm64'];
const ELF_MACHINE: Record<Arch, number> = { x64: 0x3e, arm64: 0xb7 };
const EXECUTABLE: Record<(typeof PACKAGES)[number], string> = {
  'lillydoo-pulse': 'lillydoo-pulse',
  'lillydoo-pulse-agent': 'lillydoo-pulse-agent',
  'lillydoo-pulse-poller': 'lillydoo-pulse-poller',
};
const LONG = { timeout: 30 * 60_000 };

function dpkgDeb(args: string[]): string {
  return execFileSync('dpkg-deb', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

function field(deb: string, name: string): string {
  return dpkgDeb(['-f', deb, name]).trim();
}

/** One member of the package's data, as bytes. */
function member(deb: string, file: string): Buffer {
  return execFileSync('sh', ['-c', 'dpkg-deb --fsys-tarfile "$1" | tar -xO "$2"', 'sh', deb, `.${file}`], { maxBuffer: 512 * 1024 * 1024 });
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function dependsOn(deb: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const clause of field(deb, 'Depends').split(',')) {
    const match = /^\s*([a-z0-9.+-]+)(?:\s*\(>?= ([^)]+)\))?\s*$/.exec(clause.split('|')[0].trim());
    if (match) map.set(match[1], match[2] ?? '');
  }
  return map;
}

describe('the Debian packages', { skip: enabled ? false : 'npm run test:appliance builds the packages' }, () => {
  const scratch = enabled ? mkdtempSync(path.join(os.tmpdir(), 'pulse-deb-')) : '';
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('exist for amd64 and arm64, plus the architecture-independent downloads package', () => {
    for (const arch of ARCHES) {
      for (const name of PACKAGES) {
        const deb = packageFile(name, arch);
        assert.ok(existsSync(deb), `${deb}: npm run build:packages`);
        assert.equal(field(deb, 'Package'), name);
        assert.equal(field(deb, 'Architecture'), DEB_ARCH[arch]);
      }
    }
    assert.equal(field(packageFile(DOWNLOADS_PACKAGE, 'all'), 'Architecture'), 'all');
  });

  it('carry the executables unchanged, for the right machine, and the units of appliance/systemd', LONG, () => {
    for (const arch of ARCHES) {
      for (const name of PACKAGES) {
        const deb = packageFile(name, arch);
        const executable = member(deb, `/usr/bin/${EXECUTABLE[name]}`);
        assert.equal(executable.readUInt16LE(18), ELF_MACHINE[arch], `${name} ${arch}: ELF machine`);
        assert.equal(
          sha256(executable),
          sha256(readFileSync(path.join(BIN_DIR, `${EXECUTABLE[name]}-linux-${arch}`))),
          `${name} ${arch}: not stripped or changed`,
        );
        assert.deepEqual(
          member(deb, `/lib/systemd/system/${name}.service`),
          readFileSync(path.join(root, 'appliance', 'systemd', `${name}.service`)),
        );
        assert.match(dpkgDeb(['-c', deb]), new RegExp(`/usr/share/man/man1/${name}\\.1\\.gz`));
      }
    }
  });

  it('make the server a started, hardened service of its own user, with a conffile and data that purge removes', () => {
    const deb = packageFile('lillydoo-pulse', 'x64');
    const control = path.join(scratch, 'server-control');
    dpkgDeb(['-e', deb, control]);
    assert.equal(readFileSync(path.join(control, 'conffiles'), 'utf8'), '/etc/lillydoo-pulse/server.toml\n');
    const postinst = readFileSync(path.join(control, 'postinst'), 'utf8');
    assert.match(postinst, /systemd-sysusers lillydoo-pulse\.conf/);
    assert.match(postinst, /deb-systemd-helper unmask 'lillydoo-pulse\.service'/);
    assert.match(postinst, /deb-systemd-invoke \$_dh_action 'lillydoo-pulse\.service'/, 'started on install');
    assert.ok(postinst.indexOf('systemd-sysusers') < postinst.indexOf('deb-systemd-invoke'), 'the user exists before the unit starts');
    assert.match(readFileSync(path.join(control, 'prerm'), 'utf8'), /deb-systemd-invoke stop 'lillydoo-pulse\.service'/);
    const postrm = readFileSync(path.join(control, 'postrm'), 'utf8');
    assert.match(postrm, /deb-systemd-helper purge 'lillydoo-pulse\.service'/);
    assert.match(postrm, /rm -rf \/var\/lib\/lillydoo-pulse/);
    assert.deepEqual(
      member(deb, '/usr/lib/sysusers.d/lillydoo-pulse.conf'),
      readFileSync(path.join(root, 'appliance', 'systemd', 'lillydoo-pulse.sysusers')),
    );
    assert.match(member(deb, '/etc/lillydoo-pulse/server.toml').toString(), /^data_dir = "\/var\/lib\/lillydoo-pulse"$/m);
    const depends = dependsOn(deb);
    assert.ok(depends.has('fping'), 'the ping check');
    assert.ok(depends.has(DOWNLOADS_PACKAGE), 'the executables /downloads serves');
  });

  it('make the agent and poller wait for their configuration and purge it with their outbox', () => {
    for (const role of ['agent', 'poller']) {
      const control = path.join(scratch, `${role}-control`);
      dpkgDeb(['-e', packageFile(`lillydoo-pulse-${role}`, 'x64'), control]);
      assert.ok(!existsSync(path.join(control, 'conffiles')), 'the token-bearing configuration is written by the installer, not shipped');
      assert.match(
        readFileSync(path.join(control, 'postinst'), 'utf8'),
        new RegExp(`deb-systemd-helper enable 'lillydoo-pulse-${role}\\.service'`),
      );
      const postrm = readFileSync(path.join(control, 'postrm'), 'utf8');
      assert.match(postrm, new RegExp(`rm -f /etc/lillydoo-pulse/${role}\\.conf`));
      assert.match(postrm, new RegExp(`rm -rf /var/lib/private/lillydoo-pulse-${role} /var/lib/lillydoo-pulse-${role}`));
    }
    assert.ok(dependsOn(packageFile('lillydoo-pulse-poller', 'x64')).has('fping'), 'the poller runs ping checks too');
  });

  it('ship every agent and poller executable with a .sha256 that matches, for /downloads', LONG, () => {
    const deb = packageFile(DOWNLOADS_PACKAGE, 'all');
    for (const role of ['agent', 'poller']) {
      for (const arch of ARCHES) {
        const name = `lillydoo-pulse-${role}-linux-${arch}`;
        const executable = member(deb, `${DOWNLOADS_DIR}/${name}`);
        assert.equal(executable.readUInt16LE(18), ELF_MACHINE[arch]);
        assert.equal(member(deb, `${DOWNLOADS_DIR}/${name}.sha256`).toString(), `${sha256(executable)}  ${name}\n`);
      }
    }
  });

  it('name the C runtime the executables need (checked against dpkg-shlibdeps)', () => {
    const dir = path.join(scratch, 'shlibdeps');
    mkdirSync(path.join(dir, 'debian'), { recursive: true });
    writeFileSync(path.join(dir, 'debian', 'control'), 'Source: probe\n\nPackage: probe\nArchitecture: any\n');
    for (const name of PACKAGES) {
      const binary = path.join(dir, EXECUTABLE[name]);
      writeFileSync(binary, member(packageFile(name, 'x64'), `/usr/bin/${EXECUTABLE[name]}`), { mode: 0o755 });
      const needed = execFileSync('dpkg-shlibdeps', ['-O', binary], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      const declared = dependsOn(packageFile(name, 'x64'));
      for (const clause of needed
        .replace(/^shlibs:Depends=/, '')
        .trim()
        .split(', ')) {
        const [, library, version] = /^([a-z0-9.+-]+)(?: \(>= ([^)]+)\))?$/.exec(clause)!;
        assert.ok(declared.has(library), `${name} needs ${library}`);
        if (version) {
          const ok = spawnSync('dpkg', ['--compare-versions', declared.get(library) || '0', 'ge', version]).status === 0;
          assert.ok(ok, `${name} declares ${library} (>= ${declared.get(library)}), needs >= ${version}`);
        }
      }
      rmSync(binary);
    }
  });

  // The amd64 packages and the architecture-independent one: the arm64 packages come from the same debian/
  // directory and rules, and their contents are checked above (ELF machine, units, man pages). Without
  // binaries/spelling, whose only tag (spelling-error-in-binary) is an info that never fails the run and
  // that Node.js's own strings would raise: it is half of lintian's time on 100 MB executables.
  it('pass lintian (amd64 and all), each override with its reason', LONG, () => {
    const overridesDir = path.join(root, 'appliance', 'deb', 'debian');
    for (const file of ['lillydoo-pulse', 'lillydoo-pulse-agent', 'lillydoo-pulse-poller', DOWNLOADS_PACKAGE].map((name) =>
      path.join(overridesDir, `${name}.lintian-overrides`),
    )) {
      const lines = readFileSync(file, 'utf8').split('\n');
      lines.forEach((line, index) => {
        if (line.trim() && !line.startsWith('#'))
          assert.match(lines[index - 1] ?? '', /^#/, `${path.basename(file)}: "${line}" has no reason above it`);
      });
    }
    const debs = [...PACKAGES.map((name) => packageFile(name, 'x64')), packageFile(DOWNLOADS_PACKAGE, 'all')];
    const lintian = spawnSync('lintian', ['--fail-on', 'error,warning', '--dont-check-part', 'binaries/spelling', ...debs], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const findings = `${lintian.stdout}${lintian.stderr}`
      .split('\n')
      .filter((line) => /^[EW]: /.test(line))
      .join('\n');
    assert.equal(findings, '');
    assert.equal(lintian.status, 0, `${lintian.stdout}${lintian.stderr}`);
  });
});
