import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADMIN_TOKEN_PATTERN, PulseServer, SERVER_ENTRY } from '../peers/pulse-server.js';
import { runCommand, startProcess } from '../support/processes.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

describe('first run and the admin token', () => {
  it('prints the two token lines on the first start only, and the token works', async () => {
    const first = await PulseServer.start();
    try {
      assert.match(first.process.stdout, new RegExp(`^${ADMIN_TOKEN_PATTERN.source}$`), 'stdout is exactly the two lines');
      const token = first.adminToken!;
      const listed = await first.request('GET', '/api/tokens/', { token });
      assert.equal(listed.status, 200);
      assert.equal(listed.json.tokens.length, 1);
      assert.equal(listed.json.tokens[0].type, 'admin');
      assert.ok(!listed.text.includes(token), 'listing never shows a secret');
      await first.stop();

      const second = await PulseServer.start({ dataDir: first.dataDir });
      try {
        assert.equal(second.process.stdout, '', 'a later start prints nothing');
        assert.doesNotMatch(second.process.stderr, /sw_admin_/);
        assert.equal((await second.request('GET', '/api/tokens/', { token })).status, 200, 'the first token still works');
      } finally {
        await second.stop();
      }

      // The secret is nowhere on disk (database, WAL) and never in the log.
      for (const file of filesUnder(first.dataDir)) {
        assert.ok(!readFileSync(file).includes(token), `${file} must not contain the secret`);
      }
      assert.ok(!first.process.stderr.includes(token), 'the log never contains the secret');
    } finally {
      await first.dispose();
    }
  });

  it('makes and prints the first token only once it listens: a first start that fails (port in use) leaves none behind', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const busyPort = (blocker.address() as net.AddressInfo).port;
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pulse-first-fail-'));
    try {
      const failed = startProcess(process.execPath, [SERVER_ENTRY], {
        cwd: dataDir,
        env: {
          ...process.env,
          PULSE_DATA_DIR: dataDir,
          PULSE_HTTP_LISTEN: `127.0.0.1:${busyPort}`,
          PULSE_UDP_LISTEN: '127.0.0.1:0',
          PULSE_TCP_LISTEN: '127.0.0.1:0',
        },
        label: 'pulse server on a busy port',
      });
      await failed.exited;
      assert.equal(failed.exitCode, 1, failed.output());
      assert.match(failed.stderr, /cannot start: HTTP cannot listen on 127\.0\.0\.1:\d+ \(EADDRINUSE\)/);
      assert.equal(failed.stdout, '', 'no token printed by a start that failed');

      const next = await PulseServer.start({ dataDir });
      try {
        assert.ok(next.adminToken, `the next start prints the first token:\n${next.process.output()}`);
        const listed = await next.request('GET', '/api/tokens/', { token: next.adminToken });
        assert.deepEqual(
          listed.json.tokens.map((token: { name: string }) => token.name),
          ['admin (first run)'],
          'exactly one admin token: none was left behind by the failed start',
        );
      } finally {
        await next.stop();
      }
    } finally {
      blocker.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('admin-token --reset revokes every admin token and prints a new one', async () => {
    const server = await PulseServer.start();
    try {
      const oldToken = server.adminToken!;
      const created = await server.request('POST', '/api/tokens/', { token: oldToken, json: { name: 'second admin', type: 'admin' } });
      const agent = await server.request('POST', '/api/tokens/', { token: oldToken, json: { name: 'agent', type: 'agent' } });
      await server.stop();

      const reset = await runCommand(process.execPath, [SERVER_ENTRY, 'admin-token', '--reset'], {
        env: { ...process.env, PULSE_DATA_DIR: server.dataDir },
      });
      const newToken = ADMIN_TOKEN_PATTERN.exec(reset.stdout)?.[1];
      assert.ok(newToken, `reset printed the token lines:\n${reset.stdout}`);
      assert.match(reset.stderr, /revoked 2 admin token\(s\)/);
      assert.ok(!reset.stderr.includes(newToken));

      const again = await PulseServer.start({ dataDir: server.dataDir });
      try {
        assert.equal(again.process.stdout, '', 'the reset does not make the next start print a token');
        assert.equal((await again.request('GET', '/api/tokens/', { token: oldToken })).status, 401);
        assert.equal((await again.request('GET', '/api/tokens/', { token: created.json.token })).status, 401);
        assert.equal((await again.request('GET', '/api/tokens/', { token: newToken })).status, 200);
        const agentStill = await again.request('GET', '/api/tokens/', { token: agent.json.token });
        assert.equal(agentStill.status, 403, 'the agent token is still valid (but not for admin routes)');
      } finally {
        await again.stop();
      }
    } finally {
      await server.dispose();
    }
  });

  it(
    'runs on PostgreSQL when PULSE_DATABASE_URL is set',
    { skip: !process.env.PULSE_TEST_POSTGRES_URL && 'PostgreSQL is not installed' },
    async () => {
      const { createTestDatabase } = await import('../support/databases.js');
      const database = await createTestDatabase('postgres');
      try {
        const url = (database.target as { url: string }).url;
        const server = await PulseServer.start({ env: { PULSE_DATABASE_URL: url } });
        try {
          assert.match(server.process.stderr, /database PostgreSQL 127\.0\.0\.1:\d+\/pulse_test_/);
          assert.doesNotMatch(server.process.stderr, /postgres:\/\//, 'the URL (with any password) is not logged');
          const token = server.adminToken!;
          const created = await server.request('POST', '/api/tokens/', { token, json: { name: 'pg', type: 'poller' } });
          assert.equal(created.status, 201);
          await server.stop();
          const again = await PulseServer.start({ dataDir: server.dataDir, env: { PULSE_DATABASE_URL: url } });
          try {
            assert.equal(again.process.stdout, '');
            const listed = await again.request('GET', '/api/tokens/', { token });
            assert.deepEqual(
              listed.json.tokens.map((item: { name: string }) => item.name),
              ['admin (first run)', 'pg'],
            );
          } finally {
            await again.stop();
          }
        } finally {
          await server.dispose();
        }
      } finally {
        await database.dispose();
      }
    },
  );
});
