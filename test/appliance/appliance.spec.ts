/**
 * The appliance image (npm run build:appliance) booted under QEMU, BIOS (and UEFI to systemd), with systemd as PID 1:
 * what a person who writes the image to a disk and turns the machine on gets. Runs in `npm run
 * test:appliance` (PULSE_TEST_APPLIANCE=1), which builds the packages and the image first.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APPLIANCE_DIR, applianceBaseName } from '../../scripts/build-appliance.js';
import { DOWNLOADS_DIR, packageFile } from '../../scripts/build-packages.js';
import { ApplianceVm } from '../support/appliance-vm.js';
import { waitUntil } from '../support/wait.js';

const enabled = process.env.PULSE_TEST_APPLIANCE === '1';
const TOKEN_LINE = /\[LILLYDOO Pulse\] Admin token generated: (sw_admin_[0-9a-f]{64})/;
const FINGERPRINT = /SHA-256 fingerprint:\s*\r?\n\s*((?:[0-9A-F]{2}:){31}[0-9A-F]{2})/;
/** Generous: under TCG emulation (no /dev/kvm) a boot takes minutes. */
const BOOT_MS = 15 * 60_000;
const LONG = { timeout: 30 * 60_000 };
/** The appliance's own certificate (self-signed, for 127.0.0.1 among others), as a CA file. */
const APPLIANCE_CERT = '/etc/lillydoo-pulse/tls/cert.pem';
/** Fetching an installer inside the guest, through nginx, as SPEC §9 shows it. */
const INSTALLER = (role: string) => `curl -s --cacert ${APPLIANCE_CERT} https://127.0.0.1/${role}/install.sh`;

describe('the appliance image under QEMU', { skip: enabled ? false : 'npm run test:appliance builds and boots the image' }, () => {
  const base = path.join(APPLIANCE_DIR, applianceBaseName());
  const keyDir = enabled ? mkdtempSync(path.join(os.tmpdir(), 'pulse-vm-key-')) : '';
  const sshKey = path.join(keyDir, 'id_ed25519');
  let vm: ApplianceVm;
  let token = '';
  let monitorId = 0;
  let pollerMonitorId = 0;

  before(async () => {
    for (const file of [`${base}.raw`, `${base}.qcow2`]) assert.ok(existsSync(file), `${file} is missing: npm run build:appliance`);
    const keygen = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'pulse-appliance-test', '-f', sshKey], {
      encoding: 'utf8',
    });
    assert.equal(keygen.status, 0, keygen.stderr);
    vm = await ApplianceVm.create({ image: `${base}.raw`, firmware: 'bios', sshKey, diskGiB: 6 });
  });

  after(async () => {
    await vm?.stop();
    vm?.dispose();
    rmSync(keyDir, { recursive: true, force: true });
  });

  it('boots from BIOS, shows the admin token on its serial line, and answers over HTTPS through nginx', LONG, async (t) => {
    await vm.boot();
    token = (await vm.waitForSerial(TOKEN_LINE, BOOT_MS))[1];
    const banner = await vm.waitForSerial(FINGERPRINT, 60_000);
    const health = await vm.waitForHttps(BOOT_MS);
    t.diagnostic(`${vm.accelerator}: first HTTPS 200 from /healthz ${((Date.now() - vm.launchedAt) / 1000).toFixed(1)} s after power-on`);
    if (ApplianceVm.kvmFailure) t.diagnostic(`KVM given up: ${ApplianceVm.kvmFailure}`);
    assert.equal(health.fingerprint, banner[1], 'nginx serves the certificate whose fingerprint the console showed');
    assert.match(vm.serial(), /Save this token - it will not be shown again\./);

    const tokens = await vm.https('GET', '/api/tokens/', { token });
    assert.equal(tokens.status, 200, tokens.text);
    assert.deepEqual(
      tokens.json.tokens.map((entry: { type: string; revoked: boolean }) => [entry.type, entry.revoked]),
      [['admin', false]],
    );
    assert.equal((await vm.https('GET', '/api/tokens/')).status, 401);
  });

  it('keeps the admin token off the disk and out of the journal, and lets nobody log in with a password', LONG, async () => {
    await vm.waitForSsh(BOOT_MS);
    const leaks = await vm.exec(
      `journalctl -b --no-pager | grep -c -F -- '${token}'; grep -rlsF -- '${token}' /etc /var /root /tmp /srv /home`,
    );
    assert.equal(leaks.stdout.trim(), '0', `the token was found: ${leaks.stdout}`);
    assert.match(await vm.sh('passwd --status root'), /^root L /, 'root password locked');
    assert.equal(await vm.sh(`awk -F: '$2 !~ /^[!*]/ { print $1 }' /etc/shadow`), '', 'no account has a usable password');
    const sshd = await vm.sh('sshd -T');
    assert.match(sshd, /^passwordauthentication no$/m);
    assert.match(sshd, /^kbdinteractiveauthentication no$/m);
    assert.match(sshd, /^permitrootlogin (prohibit-password|without-password)$/m);
  });

  it('runs the server under its hardened unit: its own user, CAP_NET_RAW only, ping checks through fping', LONG, async (t) => {
    const show = await vm.sh('systemctl show lillydoo-pulse.service -p ActiveState -p User -p NRestarts -p MainPID');
    assert.match(show, /^ActiveState=active$/m);
    assert.match(show, /^User=lillydoo-pulse$/m);
    assert.match(show, /^NRestarts=0$/m);
    const pid = /^MainPID=(\d+)$/m.exec(show)![1];
    assert.equal((await vm.sh(`ps -o user= -p ${pid}`)).trim(), 'lillydoo-pulse');
    assert.match(await vm.sh(`grep -E '^Cap(Eff|Amb)' /proc/${pid}/status`), /^CapEff:\s+0000000000002000$/m, 'CAP_NET_RAW (bit 13) only');
    const scores = await vm.sh(
      'for unit in lillydoo-pulse nginx ssh; do systemd-analyze security --no-pager $unit.service | tail -n 1; done',
    );
    t.diagnostic(scores.trim());

    const created = await vm.https('POST', '/api/monitors', {
      token,
      json: { name: 'appliance itself', type: 'ping', target: '127.0.0.1', interval: 5 },
    });
    assert.equal(created.status, 201, created.text);
    monitorId = created.json.id;
    const up = await waitUntil(
      'the ping monitor to be up',
      async () => {
        const monitor = await vm.https('GET', `/api/monitors/${monitorId}`, { token });
        return monitor.json?.status === 'up' ? monitor : undefined;
      },
      BOOT_MS,
    );
    assert.equal(up.json.name, 'appliance itself');
  });

  it('installs an agent and a poller on itself with the curl-piped installers, and both report to its server', LONG, async (t) => {
    // Where the minutes go under emulation, for docs/development.md.
    let phaseStarted = Date.now();
    const phases: string[] = [];
    const phase = (label: string) => {
      phases.push(`${label} ${((Date.now() - phaseStarted) / 1000).toFixed(0)} s`);
      phaseStarted = Date.now();
    };
    const issue = async (type: string) => {
      const issued = await vm.https('POST', '/api/tokens/', { token, json: { name: `appliance ${type} (installer)`, type } });
      assert.equal(issued.status, 201, issued.text);
      return issued.json.token as string;
    };
    const agentToken = await issue('agent');
    const pollerToken = await issue('poller');
    // As a person would on a host: the script over HTTPS, trusting the appliance's own certificate; the
    // default --server is the address it was fetched from (https://127.0.0.1, through nginx).
    const agent = await vm.exec(`${INSTALLER('agent')} | sh -s -- --token ${agentToken} --ca-file ${APPLIANCE_CERT}`, {
      timeoutMs: BOOT_MS,
    });
    assert.equal(agent.code, 0, `${agent.stdout}\n${agent.stderr}`);
    assert.match(agent.stdout, /lillydoo-pulse-agent installed and running/);
    phase('agent installed');
    // The poller as SPEC §9 shows it, from the server's own port over plain HTTP (on the appliance it listens
    // on 127.0.0.1 only): the default --server is then that address. Under emulation TLS costs 35 s per 100 MB.
    const poller = await vm.exec(
      `curl -s http://127.0.0.1:5000/poller/install.sh | bash -s -- --token ${pollerToken} --name appliance-poller --location rack-1`,
      { timeoutMs: BOOT_MS },
    );
    assert.equal(poller.code, 0, `${poller.stdout}\n${poller.stderr}`);
    phase('poller installed');
    for (const role of ['agent', 'poller']) {
      assert.equal((await vm.sh(`systemctl is-active lillydoo-pulse-${role}.service`)).trim(), 'active');
      assert.equal((await vm.sh(`stat -c '%a %U %G' /etc/lillydoo-pulse/${role}.conf`)).trim(), '600 root root');
      // systemctl show prints the properties in its own order, not the order asked for.
      const unit = await vm.sh(`systemctl show lillydoo-pulse-${role}.service -p FragmentPath -p ExecStart`);
      assert.match(unit, new RegExp(`^FragmentPath=/etc/systemd/system/lillydoo-pulse-${role}\\.service$`, 'm'));
      assert.match(unit, new RegExp(`^ExecStart=\\{ path=/usr/local/bin/lillydoo-pulse-${role} ;`, 'm'));
    }
    assert.match(
      await vm.sh('grep -E "^(server|ca_file)" /etc/lillydoo-pulse/agent.conf'),
      /^server = "https:\/\/127\.0\.0\.1"\nca_file = "\/etc\/lillydoo-pulse\/agent-ca\.pem"\n$/,
    );
    assert.match(await vm.sh('grep -E "^server" /etc/lillydoo-pulse/poller.conf'), /^server = "http:\/\/127\.0\.0\.1:5000"\n$/);

    // The agent's metrics reach the server.
    const reported = await waitUntil(
      "the installed agent's first report",
      async () => {
        const agents = await vm.https('GET', '/api/agents', { token });
        const found = agents.json?.agents?.[0];
        if (!found) return undefined;
        const detail = await vm.https('GET', `/api/agents/${found.id}`, { token });
        return detail.json?.latest ? detail.json : undefined;
      },
      BOOT_MS,
    );
    phase("agent's first report");
    assert.equal(reported.hostname, (await vm.sh('uname -n')).trim());
    t.diagnostic(`agent ${reported.id}: ${JSON.stringify(reported.latest).slice(0, 200)}`);

    // The poller registers, and its results for a monitor assigned to it reach the server.
    const registered = await waitUntil(
      'the installed poller to register',
      async () =>
        (await vm.https('GET', '/api/pollers', { token })).json?.pollers?.find((row: { name: string }) => row.name === 'appliance-poller'),
      BOOT_MS,
    );
    phase('poller registered');
    assert.equal(registered.location, 'rack-1');
    const watched = await vm.https('POST', '/api/monitors', {
      token,
      json: { name: 'from the poller', type: 'ping', target: '127.0.0.1', interval: 5, pollers: [registered.id] },
    });
    assert.equal(watched.status, 201, watched.text);
    pollerMonitorId = watched.json.id;
    await waitUntil(
      "the poller's result for its monitor",
      async () => {
        const monitor = await vm.https('GET', `/api/monitors/${pollerMonitorId}`, { token });
        return monitor.json?.sources?.find(
          (source: { source: string; status: string }) => source.source === `poller:${registered.id}` && source.status === 'up',
        );
      },
      BOOT_MS,
    );

    phase("poller's first result");
    // A second run upgrades in place: the same configuration, a new process. The server has the build
    // that is installed, so the executable is not downloaded again (test/e2e/installers.spec.ts shows a
    // new build is).
    const before = await vm.sh('sha256sum /etc/lillydoo-pulse/agent.conf; systemctl show -p MainPID --value lillydoo-pulse-agent.service');
    const again = await vm.exec(`${INSTALLER('agent')} | sh`, { timeoutMs: BOOT_MS });
    assert.equal(again.code, 0, `${again.stdout}\n${again.stderr}`);
    assert.match(again.stdout, /lillydoo-pulse-agent upgraded and running/);
    assert.match(again.stdout, /matches the server's lillydoo-pulse-agent-linux-x64 \(SHA-256\), not downloaded again/);
    assert.doesNotMatch(again.stdout, /Downloading/);
    phase('re-run');
    const afterRun = await vm.sh(
      'sha256sum /etc/lillydoo-pulse/agent.conf; systemctl show -p MainPID --value lillydoo-pulse-agent.service',
    );
    assert.equal(afterRun.split('\n')[0], before.split('\n')[0], 'agent.conf kept as it was');
    assert.notEqual(afterRun.split('\n')[1], before.split('\n')[1], 'the agent was restarted');
    assert.equal((await vm.sh('systemctl is-active lillydoo-pulse-agent.service')).trim(), 'active');
    t.diagnostic(phases.join(', '));
  });

  it('keeps its data over `systemctl restart` and over a reboot, and never shows the token again', LONG, async () => {
    await vm.sh('systemctl restart lillydoo-pulse.service');
    await vm.waitForHttps(BOOT_MS);
    assert.equal((await vm.https('GET', `/api/monitors/${monitorId}`, { token })).json.name, 'appliance itself');

    const bootId = (await vm.sh('cat /proc/sys/kernel/random/boot_id')).trim();
    const mark = vm.serial().length;
    await vm.exec('systemctl reboot', { timeoutMs: 15_000 });
    await waitUntil(
      'the guest to come back from the reboot',
      async () => {
        const now = await vm.exec('cat /proc/sys/kernel/random/boot_id', { timeoutMs: 15_000 });
        return now.code === 0 && now.stdout.trim() !== bootId;
      },
      BOOT_MS,
    );
    await vm.waitForHttps(BOOT_MS);
    const monitor = await vm.https('GET', `/api/monitors/${monitorId}`, { token });
    assert.equal(monitor.status, 200, 'the admin token from the first boot still works');
    assert.equal(monitor.json.name, 'appliance itself');
    await vm.waitForSerial(/login: /, BOOT_MS, mark);
    assert.doesNotMatch(vm.serial().slice(mark), /Admin token generated/);
    // The installed agent and poller are enabled: back after the reboot, and still reporting.
    for (const role of ['agent', 'poller']) {
      await waitUntil(
        `lillydoo-pulse-${role} active after the reboot`,
        async () => {
          const state = await vm.exec(`systemctl is-active lillydoo-pulse-${role}.service`);
          return state.stdout.trim() === 'active';
        },
        BOOT_MS,
      );
    }
    const rebootedAt = Date.now();
    await waitUntil(
      'a report from the agent after the reboot',
      async () => {
        const agents = await vm.https('GET', '/api/agents', { token });
        const lastSeen = agents.json?.agents?.[0]?.last_seen_at;
        return lastSeen && Date.parse(lastSeen) > rebootedAt - 60_000 ? lastSeen : undefined;
      },
      BOOT_MS,
    );
    assert.equal((await vm.https('GET', `/api/monitors/${pollerMonitorId}`, { token })).json.name, 'from the poller');
  });

  it('removes the agent and poller with --uninstall, and their configuration with --purge', LONG, async () => {
    for (const role of ['agent', 'poller']) {
      const removed = await vm.exec(`${INSTALLER(role)} | sh -s -- --uninstall`, { timeoutMs: BOOT_MS });
      assert.equal(removed.code, 0, `${removed.stdout}\n${removed.stderr}`);
      assert.notEqual((await vm.exec(`systemctl is-active lillydoo-pulse-${role}.service`)).stdout.trim(), 'active');
      assert.equal(
        (await vm.exec(`ls /usr/local/bin/lillydoo-pulse-${role} /etc/systemd/system/lillydoo-pulse-${role}.service 2>/dev/null`)).stdout,
        '',
        'executable and unit are gone',
      );
      assert.equal(
        (await vm.sh(`ls /etc/lillydoo-pulse/${role}.conf`)).trim(),
        `/etc/lillydoo-pulse/${role}.conf`,
        'the configuration stays',
      );
      const purged = await vm.exec(`${INSTALLER(role)} | sh -s -- --purge`, { timeoutMs: BOOT_MS });
      assert.equal(purged.code, 0, purged.stderr);
      assert.equal(
        (
          await vm.exec(
            `ls -d /etc/lillydoo-pulse/${role}.conf /etc/lillydoo-pulse/${role}-ca.pem /var/lib/private/lillydoo-pulse-${role} /var/lib/lillydoo-pulse-${role} 2>/dev/null`,
          )
        ).stdout,
        '',
        'configuration, CA copy and data are gone',
      );
    }
    // By name: the appliance's own first-boot units are lillydoo-pulse-* too.
    assert.equal(
      (await vm.sh('systemctl list-units --all --no-legend lillydoo-pulse-agent.service lillydoo-pulse-poller.service')).trim(),
      '',
      'systemd forgot both units',
    );
  });

  it('grew its root file system over the whole disk at the first boot', LONG, async () => {
    const rootBytes = Number((await vm.sh('df -B1 --output=size / | tail -n 1')).trim());
    assert.ok(rootBytes > statSync(`${base}.raw`).size, `root is ${rootBytes} bytes, no bigger than the image`);
    assert.ok(rootBytes > 5 * 1024 ** 3, `root is ${rootBytes} bytes on a 6 GiB disk`);
  });

  it('installs, runs, removes and purges the Debian packages for real', LONG, async () => {
    for (const name of ['lillydoo-pulse-agent', 'lillydoo-pulse-poller', 'lillydoo-pulse']) {
      await vm.copyIn(packageFile(name, 'x64'), `/tmp/${name}.deb`);
    }
    // Offline (the guest reaches no network): every dependency is in the image already, so apt fetches nothing.
    // (Not --no-download: with local .deb files apt 2.6 stops at "Pathname to install is not absolute".)
    await vm.sh('apt-get install -y /tmp/lillydoo-pulse-agent.deb /tmp/lillydoo-pulse-poller.deb', { timeoutMs: BOOT_MS });
    for (const role of ['agent', 'poller']) {
      const unit = `lillydoo-pulse-${role}.service`;
      assert.equal((await vm.sh(`systemctl is-enabled ${unit}`)).trim(), 'enabled');
      // No configuration yet: the unit's condition holds it back instead of failing.
      const waiting = await vm.sh(`systemctl show ${unit} -p ActiveState -p ConditionResult`);
      assert.match(waiting, /^ActiveState=inactive$/m, waiting);
      assert.match(waiting, /^ConditionResult=no$/m, waiting);
      const issued = await vm.https('POST', '/api/tokens/', { token, json: { name: `appliance ${role}`, type: role } });
      assert.equal(issued.status, 201, issued.text);
      const config = `server = "https://127.0.0.1"\ntoken = "${issued.json.token}"\ninsecure_skip_verify = true\n${role === 'poller' ? 'name = "appliance"\nlocation = "rack"\n' : ''}`;
      await vm.sh(`install -m 0600 /dev/stdin /etc/lillydoo-pulse/${role}.conf`, { input: config });
      await vm.sh(`systemctl start ${unit}`);
      // The 0600 root:root file reached the unprivileged service as a credential, the executable read it
      // and did not fail. (Once they do their work, issue 11, the agent and poller stay running.)
      const state = await waitUntil(
        `${unit} to read its configuration`,
        async () => {
          const journal = await vm.exec(`journalctl -u ${unit} -b --no-pager -o cat`);
          return journal.stdout.includes(`config /run/credentials/${unit}/${role}.conf`) ? journal.stdout : undefined;
        },
        BOOT_MS,
      );
      assert.doesNotMatch(state, /cannot start/);
      const shown = await vm.sh(`systemctl show ${unit} -p Result -p NRestarts -p User -p DynamicUser`);
      assert.match(shown, /^Result=success$/m, shown);
      assert.match(shown, /^NRestarts=0$/m, shown);
      assert.match(shown, /^DynamicUser=yes$/m, shown);
    }
    await vm.sh('dpkg --purge lillydoo-pulse-agent lillydoo-pulse-poller');
    assert.equal(await vm.sh('ls /etc/lillydoo-pulse'), 'server.toml\ntls\n', 'agent.conf and poller.conf went with the purge');
    assert.equal(
      (
        await vm.exec(
          'ls -d /var/lib/private/lillydoo-pulse-agent /var/lib/lillydoo-pulse-agent /lib/systemd/system/lillydoo-pulse-agent.service',
        )
      ).stdout,
      '',
    );

    await vm.sh('apt-get remove -y lillydoo-pulse', { timeoutMs: BOOT_MS });
    assert.equal((await vm.exec('systemctl is-active lillydoo-pulse.service')).stdout.trim(), 'inactive');
    assert.ok(existsSync(packageFile('lillydoo-pulse-downloads', 'all')));
    assert.match(await vm.sh('ls /var/lib/lillydoo-pulse /etc/lillydoo-pulse'), /pulse\.db/, 'remove keeps the data and the configuration');
    await vm.sh('dpkg --purge lillydoo-pulse');
    assert.equal((await vm.exec('ls -d /var/lib/lillydoo-pulse /etc/lillydoo-pulse/server.toml')).stdout, '', 'purge removes the data');
    assert.match(await vm.sh(`ls ${DOWNLOADS_DIR}`), /lillydoo-pulse-agent-linux-arm64\.sha256/, 'the downloads package stays');

    await vm.sh('apt-get install -y /tmp/lillydoo-pulse.deb', { timeoutMs: BOOT_MS });
    assert.equal((await vm.sh('systemctl is-active lillydoo-pulse.service')).trim(), 'active', 'the package starts the server on install');
    // A packaged install outside the appliance shows its first token in the journal, as SPEC §2 prints it.
    // The server makes its database and token first: under emulation on a busy host that took longer than 20 s.
    const journal = await waitUntil(
      'the first-run token in the journal',
      async () => {
        const lines = await vm.exec('journalctl -u lillydoo-pulse.service -b --no-pager -o cat | grep -c "Admin token generated: sw_admin_"');
        return lines.stdout.trim() === '1' ? lines.stdout : undefined;
      },
      BOOT_MS,
    );
    assert.equal(journal.trim(), '1');
  });

  // The BIOS boot above shows everything after the kernel; a second first boot under emulation costs
  // minutes, so the UEFI path is followed until systemd runs from the root file system (the same from there on).
  it('boots the qcow2 image from UEFI as well, to systemd on its root file system', LONG, async (t) => {
    await vm.powerOff();
    const uefi = await ApplianceVm.create({ image: `${base}.qcow2`, firmware: 'uefi', sshKey });
    try {
      await uefi.boot();
      const efi = await uefi.waitForSerial(/efi: EFI v[\d.]+ by (.+)/, BOOT_MS);
      assert.match(efi[1], /EDK II/, 'the kernel was started by UEFI firmware (OVMF), through GRUB\'s BOOTX64.EFI');
      await uefi.waitForSerial(/Welcome to .*Debian GNU\/Linux/, BOOT_MS);
      t.diagnostic(`${uefi.accelerator}: UEFI boot to systemd in ${((Date.now() - uefi.launchedAt) / 1000).toFixed(1)} s`);
    } finally {
      await uefi.stop();
      uefi.dispose();
    }
  });
});
