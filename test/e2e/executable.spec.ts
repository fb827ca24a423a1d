import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { BIN_DIR, buildBinaries } from '../../scripts/build-binaries.js';
import { PulseServer } from '../peers/pulse-server.js';
import { freePort } from '../support/ports.js';
import { runCommand, startProcess } from '../support/processes.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';
import { waitUntil } from '../support/wait.js';

const LOOPBACK_ONLY = '[http]\nlisten = "127.0.0.1:0"\n[udp]\nlisten = "127.0.0.1:0"\n[tcp]\nlisten = "127.0.0.1:0"\n';
/** The arm64 executable is built when the cross compiler is installed; it can run here under qemu-user. */
const canBuildAndRunArm64 = (() => {
  try {
    execFileSync('sh', ['-c', 'command -v aarch64-linux-gnu-g++ && command -v qemu-aarch64 && test -d /usr/aarch64-linux-gnu'], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
})();

/** SPEC §1: each executable runs with no Node.js and no node_modules next to it. */
describe('single executables', { skip: skipUnlessInstalled('g++', 'make', 'python3') }, () => {
  const emptyDirs: string[] = [];
  const emptyDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-exe-'));
    emptyDirs.push(dir);
    return dir;
  };
  const installed = (name: string) => {
    const dir = emptyDir();
    copyFileSync(path.join(BIN_DIR, name), path.join(dir, name));
    return { dir, file: path.join(dir, name) };
  };

  before(async () => {
    await buildBinaries();
  });
  after(() => emptyDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('the server runs from an empty directory with an empty environment: token printed, /healthz, a token created and used', async () => {
    const { dir, file } = installed('lillydoo-pulse-linux-x64');
    const server = await PulseServer.start({
      executable: file,
      cleanEnv: true,
      cwd: dir,
      dataDir: path.join(dir, 'data'),
      config: LOOPBACK_ONLY,
    });
    try {
      const admin = server.adminToken;
      assert.ok(admin, `first-run token printed:\n${server.process.output()}`);
      assert.equal((await server.request('GET', '/healthz')).status, 200);
      const ready = await server.request('GET', '/readyz');
      assert.equal(ready.status, 200, ready.text);
      const created = await server.request('POST', '/api/tokens/', { token: admin, json: { name: 'from the executable', type: 'admin' } });
      assert.equal(created.status, 201);
      const listed = await server.request('GET', '/api/tokens/', { token: created.json.token });
      assert.equal(listed.status, 200);
      assert.equal(listed.json.tokens.length, 2);
      assert.ok(existsSync(path.join(dir, 'data', 'pulse.db')), 'SQLite file in ./data');
    } finally {
      await server.stop();
    }
  });

  it('survives constant garbage collection while it writes to SQLite (better-sqlite3 statement finalizers)', async () => {
    // A 1 MiB young generation collects garbage every few requests, finalizing statements from GC callbacks:
    // on Node >= 24.19 this aborted the process with better-sqlite3 12 (see NODE_VERSION in the build script).
    const { dir, file } = installed('lillydoo-pulse-linux-x64');
    const server = await PulseServer.start({
      executable: file,
      cleanEnv: true,
      env: { NODE_OPTIONS: '--max-semi-space-size=1' },
      cwd: dir,
      dataDir: path.join(dir, 'data'),
      config: LOOPBACK_ONLY,
    });
    try {
      const admin = server.adminToken;
      for (let round = 0; round < 60; round++) {
        const created = await server.request('POST', '/api/tokens/', { token: admin, json: { name: `gc ${round}`, type: 'agent' } });
        assert.equal(created.status, 201, server.process.output());
        await server.request('POST', `/api/services/gc.round-${round}`);
        await server.request('GET', '/api/services', { token: admin });
      }
      await new Promise((resolve) => setTimeout(resolve, 2000));
      assert.ok(server.process.running, `the server is still running:\n${server.process.output()}`);
      assert.equal((await server.request('GET', '/readyz')).status, 200);
    } finally {
      await server.stop();
    }
  });

  it('the server executable receives statsd in worker threads (its embedded bundle), two UDP workers sharing the port', async () => {
    const { dir, file } = installed('lillydoo-pulse-linux-x64');
    const server = await PulseServer.start({
      executable: file,
      cleanEnv: true,
      cwd: dir,
      dataDir: path.join(dir, 'data'),
      config: LOOPBACK_ONLY.replace('[udp]\n', '[udp]\nworkers = 2\n'),
    });
    try {
      assert.match(server.process.stderr, /statsd UDP listening on 127\.0\.0\.1:\d+ \(2 receive workers\)/);
      // From 20 source ports: the kernel spreads senders over the two sockets by address and port. Each
      // sender sets its service's timeout 100 times, one datagram each, then beats: in order, the last
      // timeout stays.
      const senders = 20;
      const timeouts = 100;
      for (let index = 0; index < senders; index++) {
        const socket = dgram.createSocket('udp4');
        const send = (text: string) =>
          new Promise<void>((resolve, reject) =>
            socket.send(text, server.udpPort, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
          );
        for (let seconds = 1; seconds <= timeouts; seconds++) await send(`sea.udp${index}.timeout:${seconds}|g`);
        await send(`sea.udp${index}.beat:1|c\nnot a line\n`);
        socket.close();
      }
      await new Promise<void>((resolve, reject) => {
        const connection = net.connect(server.tcpPort, '127.0.0.1', () => connection.end('sea.tcp.timeout:60|g\nsea.tcp.beat:1|c\n'));
        connection.on('close', () => resolve());
        connection.on('error', reject);
      });
      const metrics = await waitUntil('every beat counted', async () => {
        const text = (await server.request('GET', '/metrics', { token: server.adminToken })).text;
        return /^pulse_heartbeat_beats_total\{transport="udp"\} 20$/m.test(text) &&
          /^pulse_heartbeat_beats_total\{transport="tcp"\} 1$/m.test(text)
          ? text
          : null;
      });
      assert.match(metrics, /^pulse_statsd_invalid_lines_total\{transport="udp",reason="syntax"\} 20$/m);
      const services = (await server.request('GET', '/api/services', { token: server.adminToken })).json.services;
      assert.equal(services.length, senders + 1);
      assert.deepEqual(
        services.filter(
          (service: { name: string; timeout: number }) => service.name.startsWith('sea.udp') && service.timeout !== timeouts * 1000,
        ),
        [],
        "every sender's last timeout is the one that stays",
      );
      assert.equal(services.find((service: { name: string }) => service.name === 'sea.tcp').timeout, 60_000);
    } finally {
      await server.stop();
    }
  });

  it('a second server on the same statsd UDP port refuses to start, though its workers could share the port', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = dgram.createSocket('udp4');
      probe.bind(0, '127.0.0.1', () => {
        const { port } = probe.address();
        probe.close(() => resolve(port));
      });
    });
    const config = LOOPBACK_ONLY.replace('[udp]\nlisten = "127.0.0.1:0"\n', `[udp]\nlisten = "127.0.0.1:${port}"\nworkers = 2\n`);
    const first = installed('lillydoo-pulse-linux-x64');
    const server = await PulseServer.start({
      executable: first.file,
      cleanEnv: true,
      cwd: first.dir,
      dataDir: path.join(first.dir, 'data'),
      config,
    });
    try {
      assert.equal(server.udpPort, port);
      const second = installed('lillydoo-pulse-linux-x64');
      const refused = await PulseServer.start({
        executable: second.file,
        cleanEnv: true,
        cwd: second.dir,
        dataDir: path.join(second.dir, 'data'),
        config,
      }).then(
        async (started) => {
          await started.stop();
          return 'started';
        },
        (error: Error) => error.message,
      );
      assert.match(refused, new RegExp(`statsd UDP cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    } finally {
      await server.stop();
    }
  });

  it('the agent and poller executables answer --version and --help', async () => {
    for (const name of ['lillydoo-pulse-agent-linux-x64', 'lillydoo-pulse-poller-linux-x64']) {
      const { file } = installed(name);
      const version = await runCommand(file, ['--version'], { env: {} });
      assert.match(version.stdout, /^lillydoo-pulse-(agent|poller) \d+\.\d+\.\d+\n$/);
      const help = await runCommand(file, ['--help'], { env: {} });
      assert.match(help.stdout, /--config FILE/);
    }
  });

  it('the poller and agent executables read their configuration at start and refuse a bad one naming the key', async () => {
    for (const [name, token] of [
      ['lillydoo-pulse-poller-linux-x64', `sw_poller_${'ab'.repeat(32)}`],
      ['lillydoo-pulse-agent-linux-x64', `sw_agent_${'cd'.repeat(32)}`],
    ] as const) {
      const { dir, file } = installed(name);
      const good = path.join(dir, 'good.conf');
      if (name.includes('poller')) {
        // It runs until stopped, trying its server (a closed loopback port here).
        writeFileSync(
          good,
          `server = "http://127.0.0.1:${await freePort()}/"\ntoken = "${token}"\ndata_dir = "${path.join(dir, 'data')}"\n`,
        );
        const poller = startProcess(file, ['--config', good], { env: {}, cwd: dir, label: name });
        try {
          await poller.waitForOutput(/cannot register: server .* unreachable \(connection refused\)/);
        } finally {
          await poller.stop();
        }
      } else {
        // The agent starts reporting; nothing listens on 127.0.0.1:1, so its reports stay in its outbox.
        writeFileSync(good, `server = "http://127.0.0.1:1/"\ntoken = "${token}"\ndata_dir = "${path.join(dir, 'data')}"\n`);
        const agent = startProcess(file, ['--config', good], { env: {}, cwd: dir, label: 'agent' });
        try {
          await agent.waitForOutput(/reporting every 30 s to http:\/\/127\.0\.0\.1:1 with cpu, disk, load, memory, network, uptime/);
        } finally {
          await agent.stop();
        }
      }
      const bad = path.join(dir, 'bad.conf');
      writeFileSync(bad, `server = "https://pulse.example.com/"\ntoken = "${token}"\noutbox_max_mb = "big"\n`);
      const refused = await runCommand(file, ['--config', bad], { env: {}, cwd: dir }).then(
        () => assert.fail('a bad file was accepted'),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(refused.code, 78);
      assert.match(refused.stderr, /outbox_max_mb = "big" \(line 3\): must be a whole number/);
    }
  });

  it('the arm64 server starts under qemu-user', { skip: !canBuildAndRunArm64 && 'needs g++-aarch64-linux-gnu and qemu-user' }, async () => {
    const { dir, file } = installed('lillydoo-pulse-linux-arm64');
    const server = await PulseServer.start({
      executable: 'qemu-aarch64',
      args: ['-L', '/usr/aarch64-linux-gnu', file],
      cleanEnv: true,
      cwd: dir,
      dataDir: path.join(dir, 'data'),
      config: LOOPBACK_ONLY,
      // qemu-user emulates every instruction: the start takes many times longer than natively (45 s seen on a busy machine).
      startTimeoutMs: 120_000,
    });
    try {
      assert.ok(server.adminToken);
      assert.equal((await server.request('GET', '/api/tokens/', { token: server.adminToken })).status, 200);
    } finally {
      await server.stop();
    }
  });
});
