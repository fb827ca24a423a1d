import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { PULSE_VERSION } from '../../app/runtime/version.js';
import { BIN_DIR, buildBinaries } from '../../scripts/build-binaries.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { freePort } from '../support/ports.js';
import { runCommand, startProcess, type TestProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const AGENT = path.join(BIN_DIR, 'lillydoo-pulse-agent-linux-x64');
const isRoot = process.getuid?.() === 0;
/**
 * What `faketime -f '-2h'` preloads. The library is set here directly rather than through the faketime
 * wrapper, which forks and does not pass on signals: stopping it would leave the agent running.
 */
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'].find((file) =>
  existsSync(file),
);
/** Loop-mounted test file systems: every agent here but the one meant to see them leaves them out. */
const LOOP_PREFIX = path.join(os.tmpdir(), `pulse-loop-${process.pid}-`);

/** SPEC §5 end to end: the built agent executable reporting to a real server. */
describe('agent executable against a real server', () => {
  const dirs: string[] = [];
  const agents: TestProcess[] = [];
  let hook: HttpReceiver;
  let server: PulseServer;
  let admin: string;
  let port: number;

  const tempDir = (prefix: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  const agentToken = async (name: string): Promise<string> =>
    (await server.request('POST', '/api/tokens/', { token: admin, json: { name, type: 'agent' } })).json.token;

  /** Starts the agent executable (optionally under a wrapper: faketime, unshare) with its own agent.conf and data dir. */
  function startAgent(
    token: string,
    options: { wrapper?: string[]; dataDir?: string; debug?: boolean; extra?: string; env?: Record<string, string> } = {},
  ) {
    const dir = options.dataDir ?? tempDir('pulse-agent-');
    const config = path.join(dir, 'agent.conf');
    writeFileSync(
      config,
      [
        `server = "http://127.0.0.1:${port}/"`,
        `token = "${token}"`,
        'interval = 5',
        `data_dir = "${path.join(dir, 'data')}"`,
        options.extra ?? `disks_exclude = ["${LOOP_PREFIX}*"]`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    const args = ['--config', config, ...(options.debug ? ['--debug'] : [])];
    const [command, commandArgs] = options.wrapper ? [options.wrapper[0]!, [...options.wrapper.slice(1), AGENT, ...args]] : [AGENT, args];
    const agent = startProcess(command, commandArgs, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...options.env },
      label: 'agent',
    });
    agents.push(agent);
    return { agent, dir };
  }

  const agentOf = async (token: string): Promise<number> =>
    waitUntil(
      'the agent to report',
      async () => (await server.request('GET', '/api/agent/whoami', { token })).json.id as number | null,
      30_000,
    );
  const show = async (id: number) => (await server.request('GET', `/api/agents/${id}`, { token: admin })).json;
  /** On this shared, busy machine CPU may well stay above 90 % for minutes: the tests judge disks, silence and skew. */
  const calmCpu = (id: number) => server.request('PUT', `/api/agents/${id}`, { token: admin, json: { thresholds: { cpu_minutes: 1440 } } });
  const storedReports = async (id: number) => {
    const history = await server.request(
      'GET',
      `/api/agents/${id}/metrics?metric=memory.percent&period=hour&since=${Date.now() - 6 * 3_600_000}`,
      {
        token: admin,
      },
    );
    return (history.json.metrics as { points: { samples: number }[] }[])
      .flatMap((series) => series.points)
      .reduce((sum, point) => sum + point.samples, 0);
  };

  before(async () => {
    await buildBinaries({ roles: ['agent'], arches: ['x64'] });
    hook = await HttpReceiver.start();
    port = await freePort();
    server = await PulseServer.start({
      env: { PULSE_HTTP_LISTEN: `127.0.0.1:${port}` },
      config: ['public_url = "https://pulse.example.com/"', '[alerts.oncall]', `webhook = "${hook.url}/agents"`, 'default = true'].join(
        '\n',
      ),
    });
    admin = server.adminToken!;
  });
  after(async () => {
    for (const agent of agents) await agent.stop();
    await server?.dispose();
    await hook?.stop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('sends this host’s metrics; the history fills minute buckets', async () => {
    const token = await agentToken('this host');
    const { agent } = startAgent(token);
    const id = await agentOf(token);
    await calmCpu(id);
    // A collector that misses a round's deadline (the CPU's first one measures a second; slow on a busy
    // machine) is left out of that report and sent with the next one.
    const shown = await waitUntil('a report with every collector', async () => {
      const latest = await show(id);
      return latest.latest?.cpu?.cores !== undefined && latest.latest?.disks ? latest : null;
    }, 30_000);
    assert.equal(shown.hostname, os.hostname(), agent.output());
    assert.equal(shown.version, PULSE_VERSION, 'the agents list shows the agent’s version');
    assert.match(shown.os, /kernel /);
    assert.ok(
      shown.latest.disks.some((disk: { mount: string }) => disk.mount === '/'),
      JSON.stringify(shown.latest.disks),
    );
    assert.ok(!shown.latest.disks.some((disk: { fs: string }) => ['proc', 'sysfs', 'tmpfs', 'devtmpfs', 'cgroup2'].includes(disk.fs)));
    assert.equal(shown.latest.cpu.cores, os.cpus().length);
    assert.ok(shown.latest.memory.total > 0 && shown.latest.uptime_s > 0);
    await waitUntil('two reports in the minute buckets', async () => (await storedReports(id)) >= 2, 30_000);
    const history = await server.request('GET', `/api/agents/${id}/metrics?period=minute&metric=cpu.percent,disks.percent`, {
      token: admin,
    });
    const series = history.json.metrics.map(
      (entry: { metric: string; series: string }) => `${entry.metric}${entry.series ? `{${entry.series}}` : ''}`,
    );
    assert.ok(series.includes('cpu.percent') && series.includes('disks.percent{/}'), series.join(', '));
    await agent.stop();
    assert.match(agent.stderr, /reporting every 5 s to http:\/\/127\.0\.0\.1:\d+ with cpu, disk, load, memory, network, uptime/);
  });

  it(
    'under faketime -2h stays ok while it reports, shows its skew, and its history lands at the server’s time',
    { skip: !LIBFAKETIME && 'needs Debian faketime' },
    async () => {
      const token = await agentToken('two hours behind');
      const { agent } = startAgent(token, { env: { LD_PRELOAD: LIBFAKETIME!, FAKETIME: '-2h', FAKETIME_DONT_FAKE_MONOTONIC: '1' } });
      const id = await agentOf(token);
      await calmCpu(id);
      const reports = await waitUntil('four reports', async () => ((await storedReports(id)) >= 4 ? storedReports(id) : null), 60_000);
      const shown = await show(id);
      assert.equal(shown.status, 'ok', `${shown.reason}\n${agent.output()}`);
      assert.ok(Math.abs(shown.clock_skew_ms + 7_200_000) < 10_000, `skew ${shown.clock_skew_ms} ms`);
      assert.ok(Date.parse(shown.collected_at) < Date.now() - 7_000_000, `collected_at ${shown.collected_at} is by the agent's clock`);
      assert.ok(Date.now() - Date.parse(shown.last_seen_at) < 10_000, 'last seen by the server’s clock');
      const recent = await server.request(
        'GET',
        `/api/agents/${id}/metrics?period=minute&metric=memory.percent&since=${Date.now() - 300_000}`,
        {
          token: admin,
        },
      );
      const samples = recent.json.metrics
        .flatMap((entry: { points: { samples: number }[] }) => entry.points)
        .reduce((sum: number, point: { samples: number }) => sum + point.samples, 0);
      assert.equal(samples, reports, 'the reports are in the last minutes of the server’s history, not two hours back');
      await agent.stop();
    },
  );

  it(
    'turns warning with the mount in the reason when a loop-mounted disk is over 90 %',
    { skip: !isRoot && 'needs root to mount a loop device' },
    async () => {
      const mount = `${LOOP_PREFIX}disk`;
      const image = path.join(tempDir('pulse-image-'), 'disk.img');
      mkdirSync(mount, { recursive: true });
      await runCommand('truncate', ['-s', '16M', image]);
      await runCommand('mkfs.ext4', ['-q', '-F', '-m', '0', image]);
      await runCommand('mount', ['-o', 'loop', image, mount]);
      try {
        // Fill it past 90 %: what the file system has available, less 1 MiB.
        const free = Number((await runCommand('df', ['--output=avail', '-k', mount])).stdout.trim().split('\n')[1]);
        await runCommand('dd', ['if=/dev/zero', `of=${path.join(mount, 'fill')}`, 'bs=1024', `count=${Math.max(0, free - 1024)}`]);
        const token = await agentToken('full disk');
        const { agent } = startAgent(token, { extra: 'disks_exclude = []' });
        const id = await agentOf(token);
        await calmCpu(id);
        const shown = await waitUntil('the agent warning', async () => {
          const agentNow = await show(id);
          return agentNow.status === 'warning' ? agentNow : null;
        });
        assert.match(shown.reason, new RegExp(`disk ${mount.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} 9\\d(\\.\\d)? % > 90 %`), shown.reason);
        assert.ok(shown.latest.disks.some((disk: { mount: string; fs: string }) => disk.mount === mount && disk.fs === 'ext4'));
        await agent.stop();
      } finally {
        await runCommand('umount', [mount]).catch(() => runCommand('umount', ['-l', mount]));
        rmSync(mount, { recursive: true, force: true });
      }
    },
  );

  it('is down after 3 silent intervals with an alert to the webhook, and recovers with one when it is back', async () => {
    const token = await agentToken('stops');
    const first = startAgent(token);
    const id = await agentOf(token);
    await calmCpu(id);
    await waitUntil('ok', async () => (await show(id)).status === 'ok');
    const alertsOf = () =>
      hook.requests.map((request) => JSON.parse(request.body)).filter((alert) => alert.kind === 'agent' && alert.id === String(id));
    await first.agent.stop();
    const stoppedAt = Date.now();
    const down = await waitUntil(
      'down',
      async () => {
        const agentNow = await show(id);
        return agentNow.status === 'down' ? agentNow : null;
      },
      40_000,
    );
    assert.ok(Date.now() - stoppedAt >= 10_000, 'not before about 3 intervals of 5 s');
    assert.match(down.reason, /^no report for 1\d s \(3 intervals of 5 s\)$/);
    const [alert] = await waitUntil('the down alert', () => (alertsOf().length >= 1 ? alertsOf() : null));
    assert.deepEqual(
      { kind: alert.kind, id: alert.id, name: alert.name, from: alert.from_state, to: alert.to_state, url: alert.url },
      { kind: 'agent', id: String(id), name: os.hostname(), from: 'ok', to: 'down', url: `https://pulse.example.com/agents/${id}` },
    );
    assert.match(alert.message, /no report for/);

    startAgent(token, { dataDir: first.dir });
    await waitUntil('ok again', async () => (await show(id)).status === 'ok', 30_000);
    const alerts = await waitUntil('the recovery alert', () => (alertsOf().length >= 2 ? alertsOf() : null));
    assert.deepEqual(
      alerts.map((sent) => `${sent.from_state} → ${sent.to_state}`),
      ['ok → down', 'down → ok'],
      'one alert each way',
    );
  });

  it(
    'is refused (403) when its token belongs to another host’s agent, and stops saying so',
    { skip: !isRoot && 'needs root for a UTS namespace' },
    async () => {
      const token = await agentToken('one host only');
      const { agent: real } = startAgent(token);
      const id = await agentOf(token);
      await real.stop();
      // The same token on a host with another name: a UTS namespace with its own host name.
      const { agent: impostor } = startAgent(token, {
        wrapper: ['unshare', '--uts', 'sh', '-c', 'hostname not-this-host && exec "$0" "$@"'],
      });
      await impostor.exited;
      assert.equal(impostor.exitCode, 78, impostor.output());
      assert.match(
        impostor.stderr,
        /the server refused this agent's token: This token belongs to agent \d+ .*cannot report for host "not-this-host"/,
      );
      assert.equal((await show(id)).hostname, os.hostname(), 'the agent keeps its host');
    },
  );

  it('keeps reports on disk while the server is unreachable and sends each exactly once when it is back', async () => {
    const token = await agentToken('outbox');
    const { agent } = startAgent(token, { debug: true });
    const id = await agentOf(token);
    await calmCpu(id);
    const made = () => agent.stderr.match(/report collected at/g)?.length ?? 0;
    const { dataDir } = server;
    dirs.push(dataDir);
    await server.stop();
    await agent.waitForOutput(/server unreachable \(connection refused\), \d+ samples? queued/, 30_000);
    const queuedFrom = made();
    await waitUntil('three more reports kept on disk', () => made() >= queuedFrom + 3, 40_000);
    server = await PulseServer.start({ dataDir, env: { PULSE_HTTP_LISTEN: `127.0.0.1:${port}` } });
    // One line either way: "…, sending N queued samples" (then "sent … caught up"), or "…; sent the N queued samples" when one batch held them all.
    await agent.waitForOutput(/server back after [^,;]+(?:, sending|; sent the) \d+ queued samples?/, 60_000);
    // Reports go on being made: stored (read first) can only catch up with made (read after), never pass it.
    await waitUntil(
      'every report stored',
      async () => {
        const stored = await storedReports(id);
        const count = made();
        assert.ok(stored <= count, `${stored} stored of ${count} made: a report was stored twice\n${agent.output()}`);
        return stored === count;
      },
      30_000,
    );
    await agent.stop();
  });
});
