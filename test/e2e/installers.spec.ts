/**
 * The curl-piped installers (SPEC §9), fetched from a real server on 127.0.0.1 and run as root with
 * `curl -s … | sh -s -- …` (or wget and bash) inside a mount-namespace sandbox of this host
 * (test/support/install-sandbox.ts). Each failure path prints one line, exits non-zero and leaves nothing
 * behind; an install, a re-run, --uninstall and --purge do what docs/install.md says. Under real systemd,
 * with the real executables, the appliance test runs them again (test/appliance/appliance.spec.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { InstallSandbox, NOBODY_UID, type SandboxRun } from '../support/install-sandbox.js';
import { freePort } from '../support/ports.js';

const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));
const skip =
  process.getuid?.() !== 0
    ? 'needs root (a mount-namespace sandbox, and the installers refuse to run without it)'
    : skipUnlessInstalled('curl', 'shellcheck', 'wget', 'unshare');

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

/** Stand-ins for the executables: the installers only download, verify and place them (the appliance test runs the real ones). */
function fakeExecutable(role: string, version: string): string {
  return `#!/bin/sh\necho "lillydoo-pulse-${role} ${version} $*"\n`;
}

/** One failure: non-zero exit with `code`, exactly one line on stderr matching `message`, nothing left behind. */
function assertRefused(run: SandboxRun, sandbox: InstallSandbox, code: number, message: RegExp): void {
  assert.equal(run.code, code, `exit code\n${run.stdout}\n${run.stderr}`);
  const lines = run.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, `one line on stderr:\n${run.stderr}`);
  assert.match(lines[0]!, message);
  assert.deepEqual(sandbox.changes(), [], 'nothing written to /etc, /usr/local, /var/lib or /run');
  assert.deepEqual(sandbox.removals(), [], 'nothing removed there either');
  assert.deepEqual(sandbox.leftoverTemp(), [], 'its temporary directory is gone');
  assert.deepEqual(sandbox.systemctlCalls(), [], 'systemd was not touched');
}

describe('the curl-piped installers', { skip }, () => {
  let server: PulseServer;
  let downloads: string;
  let admin: string;
  let agentToken: string;
  let pollerToken: string;
  const sandboxes: InstallSandbox[] = [];

  const sandbox = () => {
    const made = InstallSandbox.create();
    sandboxes.push(made);
    return made;
  };
  const issue = async (type: string) => {
    const created = await server.request('POST', '/api/tokens/', {
      token: admin,
      json: { name: `installer ${type} ${randomBytes(3).toString('hex')}`, type },
    });
    assert.equal(created.status, 201, created.text);
    return created.json.token as string;
  };
  const piped = (role: string, args: string, shell = 'sh') => `curl -s ${server.baseUrl}/${role}/install.sh | ${shell} -s -- ${args}`;

  before(async () => {
    downloads = mkdtempSync(path.join(os.tmpdir(), 'pulse-downloads-'));
    for (const role of ['agent', 'poller']) {
      writeFileSync(path.join(downloads, `lillydoo-pulse-${role}-linux-x64`), fakeExecutable(role, '1'), { mode: 0o755 });
    }
    server = await PulseServer.start({ env: { PULSE_DOWNLOADS_DIR: downloads } });
    admin = server.adminToken!;
    agentToken = await issue('agent');
    pollerToken = await issue('poller');
  });

  after(async () => {
    await server?.dispose();
    for (const made of sandboxes) made.dispose();
    if (downloads) rmSync(downloads, { recursive: true, force: true });
  });

  it('serves POSIX sh that passes shellcheck, with the server it came from as the default --server', async () => {
    for (const role of ['agent', 'poller']) {
      const served = await server.request('GET', `/${role}/install.sh`);
      assert.equal(served.status, 200);
      assert.match(served.headers.get('content-type')!, /^text\/plain/);
      assert.match(served.text, /^#!\/bin\/sh\n/);
      assert.ok(served.text.includes(`PULSE_DEFAULT_SERVER='${server.baseUrl}'`), 'the address the script was fetched from');
      assert.doesNotMatch(served.text, /@PULSE_[A-Z_]+@/, 'every placeholder filled in');
      // The unit of appliance/systemd/, as it is.
      const unit = readFileSync(path.join(projectRoot, 'appliance', 'systemd', `lillydoo-pulse-${role}.service`), 'utf8');
      assert.ok(served.text.includes(unit.trimEnd()), `the ${role} unit of appliance/systemd/ is inside`);
      const lint = spawnSync('shellcheck', ['--shell=sh', '-'], { input: served.text, encoding: 'utf8' });
      assert.equal(lint.status, 0, `shellcheck ${role}/install.sh:\n${lint.stdout}`);
    }
    // The sources pass as they are too (with the shared part followed from the role's script).
    const sources = spawnSync('shellcheck', ['-x', '--shell=sh', 'installers/agent/install.sh', 'installers/poller/install.sh'], {
      cwd: projectRoot,
      encoding: 'utf8',
    });
    assert.equal(sources.status, 0, sources.stdout);
  });

  it('serves the executables and their SHA-256, and says how to get a missing one onto the server', async () => {
    const binary = await server.request('GET', '/downloads/lillydoo-pulse-agent-linux-x64');
    assert.equal(binary.status, 200);
    assert.equal(binary.text, fakeExecutable('agent', '1'));
    assert.equal(binary.headers.get('content-type'), 'application/octet-stream');
    const sum = await server.request('GET', '/downloads/lillydoo-pulse-agent-linux-x64.sha256');
    assert.equal(sum.text, `${sha256(fakeExecutable('agent', '1'))}  lillydoo-pulse-agent-linux-x64\n`, "computed, in sha256sum's format");

    const missing = await server.request('GET', '/downloads/lillydoo-pulse-agent-linux-arm64');
    assert.equal(missing.status, 404);
    assert.equal(missing.json.error, 'not_found');
    assert.match(
      missing.json.message,
      /lillydoo-pulse-agent-linux-arm64 is not on this server\. Install the lillydoo-pulse-downloads package/,
    );
    assert.equal((await server.request('GET', '/downloads/lillydoo-pulse-agent-linux-arm64.sha256')).status, 404);
    for (const name of [
      'lillydoo-pulse-agent-linux-riscv64',
      '..%2Fpulse.db',
      'install.sh',
      'lillydoo-pulse-agent-linux-x64.sha256.sha256',
    ]) {
      const refused = await server.request('GET', `/downloads/${name}`);
      assert.equal(refused.status, 404, name);
      assert.match(refused.json.message, /^There is no download /);
    }
  });

  describe('failure paths: one line, a non-zero exit, nothing left behind', () => {
    it('refuses to run without root', async () => {
      const box = sandbox();
      const run = await box.run(piped('agent', `--token ${agentToken}`), { uid: NOBODY_UID });
      assertRefused(
        run,
        box,
        3,
        /^lillydoo-pulse-agent installer: must run as root: curl -s SERVER\/agent\/install\.sh \| sudo sh -s -- --token/,
      );
    });

    it('says when the server cannot be reached', async () => {
      const box = sandbox();
      const closed = await freePort();
      const run = await box.run(piped('agent', `--token ${agentToken} --server http://127.0.0.1:${closed}`));
      assertRefused(
        run,
        box,
        5,
        new RegExp(
          `^lillydoo-pulse-agent installer: cannot reach the Pulse server at http://127\\.0\\.0\\.1:${closed}: nothing answers at that address`,
        ),
      );
    });

    it('says when the server does not know the token', async () => {
      const box = sandbox();
      const run = await box.run(piped('agent', `--token sw_agent_${randomBytes(32).toString('hex')}`));
      assertRefused(
        run,
        box,
        6,
        /^lillydoo-pulse-agent installer: the server at http:\S+ refused the token \(unknown, revoked or expired\)/,
      );
    });

    it('says when the token is of another type', async () => {
      const box = sandbox();
      const poller = await box.run(piped('agent', `--token ${pollerToken}`));
      assertRefused(
        poller,
        box,
        6,
        /^lillydoo-pulse-agent installer: that is a poller token, and the agent installer needs an agent token/,
      );
      const adminToken = await box.run(piped('poller', `--token ${admin}`));
      assertRefused(
        adminToken,
        box,
        6,
        /^lillydoo-pulse-poller installer: that is an admin token, and the poller installer needs a poller token/,
      );
    });

    it('refuses an unsupported architecture', async () => {
      const box = sandbox();
      const run = await box.run(piped('agent', `--token ${agentToken}`), { machine: 'riscv64' });
      assertRefused(
        run,
        box,
        4,
        /^lillydoo-pulse-agent installer: unsupported architecture riscv64: lillydoo-pulse-agent is built for x86_64 and aarch64 only$/,
      );
    });

    it('refuses a download whose checksum does not match', async () => {
      const box = sandbox();
      const sumFile = path.join(downloads, 'lillydoo-pulse-poller-linux-x64.sha256');
      writeFileSync(sumFile, `${sha256('something else')}  lillydoo-pulse-poller-linux-x64\n`);
      try {
        const run = await box.run(piped('poller', `--token ${pollerToken}`));
        assertRefused(
          run,
          box,
          7,
          /^lillydoo-pulse-poller installer: checksum mismatch for lillydoo-pulse-poller-linux-x64 \(expected [0-9a-f]{64}, got [0-9a-f]{64}\).*nothing was installed$/,
        );
      } finally {
        rmSync(sumFile);
      }
    });

    it('refuses a host without systemd, and a missing token', async () => {
      const box = sandbox();
      const noSystemd = await box.run(piped('agent', `--token ${agentToken}`), { withoutSystemd: true });
      assertRefused(noSystemd, box, 4, /^lillydoo-pulse-agent installer: systemd is not running on this host/);
      const noToken = await box.run(piped('agent', ''));
      assertRefused(noToken, box, 2, /^lillydoo-pulse-agent installer: --token is missing: create an agent token/);
    });
  });

  it('installs the agent, upgrades it in place keeping its configuration, then uninstalls and purges it', async () => {
    const box = sandbox();
    const first = await box.run(piped('agent', `--token ${agentToken}`));
    assert.equal(first.code, 0, `${first.stdout}\n${first.stderr}`);
    assert.match(first.stdout, /lillydoo-pulse-agent installed and running/);
    assert.equal(first.stderr, '');
    assert.deepEqual(box.changes(), [
      '/etc/lillydoo-pulse',
      '/etc/lillydoo-pulse/agent.conf',
      '/etc/systemd',
      '/etc/systemd/system',
      '/etc/systemd/system/lillydoo-pulse-agent.service',
      '/usr/local/bin',
      '/usr/local/bin/lillydoo-pulse-agent',
    ]);
    assert.equal(box.read('/usr/local/bin/lillydoo-pulse-agent'), fakeExecutable('agent', '1'));
    assert.equal(box.stat('/usr/local/bin/lillydoo-pulse-agent').mode & 0o7777, 0o755);
    const conf = box.stat('/etc/lillydoo-pulse/agent.conf');
    assert.deepEqual([conf.mode & 0o7777, conf.uid, conf.gid], [0o600, 0, 0], 'agent.conf is 0600 root:root');
    const config = box.read('/etc/lillydoo-pulse/agent.conf');
    assert.match(config, new RegExp(`^server = "${server.baseUrl}"$`, 'm'));
    assert.match(config, new RegExp(`^token = "${agentToken}"$`, 'm'));
    const unit = box.read('/etc/systemd/system/lillydoo-pulse-agent.service');
    const source = readFileSync(path.join(projectRoot, 'appliance', 'systemd', 'lillydoo-pulse-agent.service'), 'utf8');
    assert.equal(unit.trimEnd(), source.replaceAll('/usr/bin/lillydoo-pulse-agent', '/usr/local/bin/lillydoo-pulse-agent').trimEnd());
    assert.deepEqual(box.systemctlCalls(), [
      'daemon-reload',
      'enable --quiet lillydoo-pulse-agent.service',
      'restart lillydoo-pulse-agent.service',
      'is-active lillydoo-pulse-agent.service',
      'is-active lillydoo-pulse-agent.service',
      'is-active lillydoo-pulse-agent.service',
    ]);
    assert.deepEqual(box.leftoverTemp(), []);

    // The administrator adds a line; a new build appears on the server; the installer runs again without a token.
    box.write('/etc/lillydoo-pulse/agent.conf', `${config}interval = 60\n`, 0o644);
    const edited = box.read('/etc/lillydoo-pulse/agent.conf');
    writeFileSync(path.join(downloads, 'lillydoo-pulse-agent-linux-x64'), fakeExecutable('agent', '2'), { mode: 0o755 });
    box.clearSystemctlCalls();
    const again = await box.run(`curl -s ${server.baseUrl}/agent/install.sh | sh`);
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stdout, /lillydoo-pulse-agent upgraded and running/);
    assert.match(again.stdout, /^Downloading lillydoo-pulse-agent-linux-x64 from /m, 'a new build is downloaded');
    assert.equal(box.read('/usr/local/bin/lillydoo-pulse-agent'), fakeExecutable('agent', '2'), 'the new build is in place');
    assert.equal(box.read('/etc/lillydoo-pulse/agent.conf'), edited, 'the configuration is kept as it was');
    assert.equal(box.stat('/etc/lillydoo-pulse/agent.conf').mode & 0o7777, 0o600, 'and made 0600 again');
    assert.ok(box.systemctlCalls().includes('restart lillydoo-pulse-agent.service'));

    // New values given: only those change. The build installed is the server's: it is not fetched again.
    const other = await issue('agent');
    const installed = box.stat('/usr/local/bin/lillydoo-pulse-agent');
    box.clearSystemctlCalls();
    const third = await box.run(piped('agent', `--token ${other} --insecure`));
    assert.equal(third.code, 0, third.stderr);
    assert.doesNotMatch(third.stdout, /Downloading/);
    assert.match(third.stdout, /\/usr\/local\/bin\/lillydoo-pulse-agent matches the server's lillydoo-pulse-agent-linux-x64 \(SHA-256\), not downloaded again/);
    const kept = box.stat('/usr/local/bin/lillydoo-pulse-agent');
    assert.deepEqual([kept.ino, kept.mtimeMs], [installed.ino, installed.mtimeMs], 'the executable was left in place');
    assert.ok(box.systemctlCalls().includes('restart lillydoo-pulse-agent.service'), 'restarted with its new settings');
    assert.equal(
      box.read('/etc/lillydoo-pulse/agent.conf'),
      edited.replace(agentToken, other).replace('interval = 60\n', 'interval = 60\ninsecure_skip_verify = true\n'),
    );

    box.clearSystemctlCalls();
    const uninstall = await box.run(piped('agent', '--uninstall'));
    assert.equal(uninstall.code, 0, uninstall.stderr);
    assert.match(uninstall.stdout, /lillydoo-pulse-agent removed; \/etc\/lillydoo-pulse\/agent\.conf and its data stay/);
    assert.deepEqual(box.systemctlCalls(), [
      'disable --now --quiet lillydoo-pulse-agent.service',
      'daemon-reload',
      'reset-failed lillydoo-pulse-agent.service',
    ]);
    assert.ok(!box.changes().includes('/usr/local/bin/lillydoo-pulse-agent'));
    assert.ok(!box.changes().includes('/etc/systemd/system/lillydoo-pulse-agent.service'));
    assert.ok(box.changes().includes('/etc/lillydoo-pulse/agent.conf'));

    // Data the service kept (systemd's StateDirectory= of a DynamicUser unit), then --purge.
    box.write('/var/lib/private/lillydoo-pulse-agent/outbox/segment-1', 'queued');
    const purge = await box.run(piped('agent', '--purge'));
    assert.equal(purge.code, 0, purge.stderr);
    assert.match(purge.stdout, /removed with its configuration and data/);
    assert.deepEqual(
      box.changes().filter((changed) => /lillydoo-pulse/.test(changed)),
      [],
      'no file of the agent is left',
    );
    assert.deepEqual(box.leftoverTemp(), []);
  });

  it('installs the poller with wget and bash, with its name and location', async () => {
    writeFileSync(path.join(downloads, 'lillydoo-pulse-poller-linux-x64'), fakeExecutable('poller', '1'), { mode: 0o755 });
    const box = sandbox();
    const run = await box.run(
      `wget -qO- ${server.baseUrl}/poller/install.sh | bash -s -- --token ${pollerToken} --name "rack \\"7\\"" --location 'Frankfurt DC2'`,
      { withoutCurl: true },
    );
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.equal(box.read('/usr/local/bin/lillydoo-pulse-poller'), fakeExecutable('poller', '1'));
    const config = box.read('/etc/lillydoo-pulse/poller.conf');
    assert.match(config, /^name = "rack \\"7\\""$/m, 'quotes are escaped for TOML');
    assert.match(config, /^location = "Frankfurt DC2"$/m);
    assert.match(config, new RegExp(`^token = "${pollerToken}"$`, 'm'));

    // wget reports the failures too.
    const closed = await freePort();
    const unreachable = await box.run(`wget -qO- ${server.baseUrl}/poller/install.sh | sh -s -- --server http://127.0.0.1:${closed}`, {
      withoutCurl: true,
    });
    assert.equal(unreachable.code, 5, unreachable.stderr);
    assert.match(
      unreachable.stderr,
      /^lillydoo-pulse-poller installer: cannot reach the Pulse server at http:\/\/127\.0\.0\.1:\d+: nothing answers/,
    );
  });

  it('keeps a poller token that is registered already to its own name', async () => {
    const token = await issue('poller');
    const registered = await server.request('POST', '/api/poller/register', {
      token,
      json: { name: 'edge-1', location: 'Hamburg', version: '0.1.0' },
    });
    assert.ok(registered.status === 200 || registered.status === 201, registered.text);
    const box = sandbox();
    const other = await box.run(piped('poller', `--token ${token} --name edge-2`));
    assertRefused(other, box, 6, /^lillydoo-pulse-poller installer: this token belongs to the poller "edge-1": pass --name "edge-1"/);
    const adopted = await box.run(piped('poller', `--token ${token}`));
    assert.equal(adopted.code, 0, adopted.stderr);
    assert.match(adopted.stdout, /This token belongs to the poller "edge-1": installing it under that name\./);
    assert.match(box.read('/etc/lillydoo-pulse/poller.conf'), /^name = "edge-1"$/m);
  });

  it('refuses a service that does not stay running, naming the journal', async () => {
    const box = sandbox();
    const run = await box.run(piped('agent', `--token ${agentToken}`), { serviceState: 'failed' });
    assert.equal(run.code, 8);
    assert.match(
      run.stderr,
      /^lillydoo-pulse-agent installer: lillydoo-pulse-agent\.service is failed after its start: journalctl -u lillydoo-pulse-agent\.service -n 50 shows why/,
    );
  });
});
