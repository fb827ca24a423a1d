import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PulseServer, SERVER_ENTRY } from '../peers/pulse-server.js';
import { SyslogListener } from '../peers/syslog-listener.js';
import { freePort } from '../support/ports.js';
import { createTestDatabase, openDataSource } from '../support/databases.js';
import { runCommand, startProcess } from '../support/processes.js';
import { Tmpfs, tmpfsUnavailable } from '../support/tmpfs.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-cli-'));

async function server(args: string[], env: Record<string, string> = {}) {
  try {
    const result = await runCommand(process.execPath, [SERVER_ENTRY, ...args], { env: { ...process.env, PULSE_DATA_DIR: dir, ...env } });
    return { ...result, code: 0 };
  } catch (error) {
    return error as { stdout: string; stderr: string; code: number };
  }
}

describe('command line and configuration at start (SPEC §1)', () => {
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the version and the help', async () => {
    assert.match((await server(['--version'])).stdout, /^lillydoo-pulse \d+\.\d+\.\d+\n$/);
    const help = await server(['--help']);
    for (const flag of ['--config FILE', '--debug', '--syslog', '--version', '--help', 'admin-token --reset'])
      assert.ok(help.stdout.includes(flag), flag);
  });

  it('refuses unknown flags and commands with exit code 64', async () => {
    const flag = await server(['--verbose']);
    assert.equal(flag.code, 64);
    assert.match(flag.stderr, /^lillydoo-pulse: Unknown option '--verbose'.*Run lillydoo-pulse --help/);
    const command = await server(['restart']);
    assert.equal(command.code, 64);
    assert.match(command.stderr, /Unknown command "restart"/);
  });

  it('refuses an invalid configuration with exit code 78, naming key, value, line and what is allowed', async () => {
    const file = path.join(dir, 'bad.toml');
    writeFileSync(file, '[http]\nlisten = ":5000"\npublic_status = "sometimes"\n');
    const result = await server(['--config', file]);
    assert.equal(result.code, 78);
    assert.match(
      result.stderr,
      /cannot start: Invalid configuration \(.*bad\.toml\):\n  http\.public_status = "sometimes" \(line 3\): must be true or false/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('refuses an invalid environment value the same way', async () => {
    const result = await server([], { PULSE_PORT: '99999' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /PULSE_PORT="99999" \(environment\): must be a port number 0-65535/);
  });

  it('refuses to open a database file that is not SQLite (a Lovebeat database, say)', async () => {
    const dataDir = mkdtempSync(path.join(dir, 'data-'));
    writeFileSync(path.join(dataDir, 'lovebeat.db'), '{"services": {}}');
    const result = await server([], { PULSE_DATA_DIR: dataDir, PULSE_DATABASE_FILENAME: 'lovebeat.db' });
    assert.equal(result.code, 78);
    assert.match(result.stderr, /lovebeat\.db exists but is not a SQLite database \(a Lovebeat database file\?\)/);
    assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
  });

  it('refuses a truncated database file the same way, naming the file and what is wrong with it', async () => {
    const database = await createTestDatabase('sqlite');
    try {
      await (await openDataSource(database)).destroy(); // a real Pulse database, write-ahead log folded in
      const file = (database.target as { file: string }).file;
      truncateSync(file, Math.floor(statSync(file).size / 2));
      const result = await server([], { PULSE_DATA_DIR: path.dirname(file) });
      assert.equal(result.code, 78, result.stderr);
      assert.match(
        result.stderr,
        /cannot start: \S+pulse\.db is truncated: it has \d+ bytes, its header says \d+\. Restore it from a backup, or move it away/,
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    } finally {
      await database.dispose();
    }
  });

  it(
    'names the database path and why it cannot be written when the data directory is read-only',
    { skip: tmpfsUnavailable() ?? false },
    async () => {
      const disk = await Tmpfs.mount('1m');
      try {
        await disk.remountReadOnly();
        const result = await server([], { PULSE_DATA_DIR: disk.dir });
        assert.equal(result.code, 78, result.stderr);
        assert.ok(
          result.stderr.includes(
            `cannot start: cannot open the database ${disk.dir}/pulse.db: the directory ${disk.dir} is on a read-only file system`,
          ),
          result.stderr,
        );
        const below = await server([], { PULSE_DATA_DIR: path.join(disk.dir, 'pulse') });
        assert.equal(below.code, 78, below.stderr);
        assert.match(below.stderr, /the directory \S+\/pulse does not exist and cannot be made: \S+ is on a read-only file system/);
      } finally {
        await disk.unmount();
      }
    },
  );

  it("starts with Lovebeat's own lovebeat.cfg, warning only about nothing", async () => {
    const started = await PulseServer.start({ config: `${readFixture('lovebeat.cfg')}` });
    try {
      assert.equal((await started.request('GET', '/healthz')).status, 200);
      assert.doesNotMatch(started.process.stderr, /Unknown configuration key/);
    } finally {
      await started.dispose();
    }
  });

  it('warns about unknown keys with their line and keeps running', async () => {
    const started = await PulseServer.start({ config: '[http]\npublic_stauts = false\n' });
    try {
      assert.match(started.process.stderr, /WARN {2}\[Config\] Unknown configuration key "http\.public_stauts" \(line 2\) ignored/);
      assert.equal((await started.request('GET', '/healthz')).status, 200);
    } finally {
      await started.dispose();
    }
  });

  it('says clearly when the HTTP port is taken', async () => {
    const first = await PulseServer.start();
    try {
      const port = new URL(first.baseUrl).port;
      const result = await server([], { PULSE_HTTP_LISTEN: `127.0.0.1:${port}`, PULSE_DATA_DIR: mkdtempSync(path.join(dir, 'data-')) });
      assert.equal(result.code, 1);
      assert.match(
        result.stderr,
        new RegExp(
          `HTTP cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)\\. Set \\[http\\] listen or PULSE_PORT to a free port\\.`,
        ),
      );
    } finally {
      await first.dispose();
    }
  });

  it('logs debug lines with --debug, and only then', async () => {
    const quiet = await PulseServer.start();
    const chatty = await PulseServer.start({ args: ['--debug'] });
    try {
      assert.doesNotMatch(quiet.process.stderr, /DEBUG/);
      assert.match(chatty.process.stderr, /DEBUG \[RouterExplorer\] Mapped \{\/api\/tokens, POST\} route/);
    } finally {
      await quiet.dispose();
      await chatty.dispose();
    }
  });

  it('sends its log to syslog with --syslog, never the admin token', { skip: skipUnlessInstalled('python3') }, async () => {
    const syslog = await SyslogListener.start();
    const port = await freePort();
    const dataDir = mkdtempSync(path.join(dir, 'data-'));
    const child = startProcess(process.execPath, [SERVER_ENTRY, '--syslog'], {
      env: {
        ...process.env,
        PULSE_DATA_DIR: dataDir,
        PULSE_HTTP_LISTEN: `127.0.0.1:${port}`,
        PULSE_UDP_LISTEN: '127.0.0.1:0',
        PULSE_TCP_LISTEN: '127.0.0.1:0',
        PULSE_LOG_SYSLOG_SOCKET: syslog.socketPath,
      },
    });
    try {
      await syslog.waitFor(
        new RegExp(`^<30>.*lillydoo-pulse\\[${child.pid}\\]: \\[Main\\] HTTP listening on 127\\.0\\.0\\.1:${port}`, 'm'),
      );
      assert.doesNotMatch(child.stderr, /HTTP listening/, 'log lines go to syslog instead of stderr');
      const token = /sw_admin_[0-9a-f]{64}/.exec(child.stdout)?.[0];
      assert.ok(token, 'the token lines still go to stdout');
      await fetch(`http://127.0.0.1:${port}/api/tokens/`, { headers: { authorization: `Bearer sw_admin_${'e'.repeat(64)}` } });
      await syslog.waitFor(/<30>.*\[Auth\] rejected unknown token from 127\.0\.0\.1/);
      assert.ok(!syslog.messages.join('\n').includes(token!), 'the secret never reaches syslog');
    } finally {
      await child.stop();
      await syslog.stop();
    }
  });
});

function readFixture(name: string): string {
  return readFileSync(path.join(fixtures, name), 'utf8');
}
