import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { canUseNamespaces, namespaceHost, type NamespaceHost } from '../../../test/support/netns.js';
import { PortCheck } from './port.check.js';
import { skipUnlessInstalled } from '../../../test/support/debian-peers.js';

const noNamespaces = (!canUseNamespaces && 'needs root for a network namespace') || skipUnlessInstalled('ip');

const logger = { debug() {}, info() {}, warn() {} };
const check = new PortCheck();
const run = (target: string, timeoutMs = 2000) => check.run(target, {}, createPluginContext({ timeoutMs, logger }));

function listen(host: string): Promise<net.Server> {
  return new Promise((resolve) => {
    const server = net.createServer((socket) => socket.destroy());
    server.listen(0, host, () => resolve(server));
  });
}

describe('port check', () => {
  let open4: net.Server;
  let open6: net.Server;
  let closedPort: number;

  before(async () => {
    open4 = await listen('127.0.0.1');
    open6 = await listen('::1');
    const closing = await listen('127.0.0.1');
    closedPort = (closing.address() as net.AddressInfo).port;
    await new Promise((resolve) => closing.close(resolve));
  });
  after(() => {
    open4.close();
    open6.close();
  });

  it('is up with the connect time when the port accepts', async () => {
    const port = (open4.address() as net.AddressInfo).port;
    const result = await run(`127.0.0.1:${port}`);
    assert.equal(result.status, 'up');
    assert.equal(result.message, `port ${port} open`);
    assert.ok(typeof result.latencyMs === 'number' && result.latencyMs >= 0 && result.latencyMs < 2000);
  });

  it('reaches IPv6 targets written in brackets, and names that resolve locally', async () => {
    const port6 = (open6.address() as net.AddressInfo).port;
    assert.equal((await run(`[::1]:${port6}`)).status, 'up');
    const port4 = (open4.address() as net.AddressInfo).port;
    assert.equal((await run(`localhost:${port4}`)).status, 'up');
  });

  it('is down with "connection refused" when nothing listens', async () => {
    const result = await run(`127.0.0.1:${closedPort}`);
    assert.deepEqual(
      { status: result.status, latencyMs: result.latencyMs, message: result.message },
      { status: 'down', latencyMs: null, message: 'connection refused' },
    );
  });

  describe('unreachable and silent hosts', { skip: noNamespaces }, () => {
    let silent: NamespaceHost;
    before(async () => {
      silent = await namespaceHost({ silent: true });
    });
    after(() => silent?.dispose());

    it('is down with "no answer within <timeout> ms" when the host never answers', async () => {
      const result = await run(`${silent.address}:5432`, 300);
      assert.equal(result.status, 'down');
      assert.equal(result.message, 'no answer within 300 ms');
    });

    it('is down with "host unreachable" inside the unreachable test range', async () => {
      const result = await run('198.19.255.254:80');
      assert.equal(result.status, 'down');
      assert.equal(result.message, 'host unreachable');
    });
  });

  it('checks targets before running', () => {
    assert.equal(check.validateTarget('db.example.com:5432'), null);
    assert.equal(check.validateTarget('[2001:db8::1]:22'), null);
    for (const bad of ['', 'db.example.com', 'db:0', 'db:70000', 'http://db:80', '2001:db8::1:22', 'a b:1']) {
      assert.match(check.validateTarget(bad) ?? '', /must be "host:port"/, bad);
    }
  });
});
