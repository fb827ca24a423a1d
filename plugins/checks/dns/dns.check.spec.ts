import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import dgram from 'node:dgram';
import { Resolver } from 'node:dns/promises';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { validatePluginConfig } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { startProcess, type TestProcess } from '../../../test/support/processes.js';
import { waitUntil } from '../../../test/support/wait.js';
import { DnsCheck, describeDnsError } from './dns.check.js';
import { DnsConfig } from './dns.config.js';

const hasDnsmasq = spawnSync('dnsmasq', ['--version']).status === 0;

/** A domain name in DNS wire format, as dnsmasq's --dns-rr takes record data (hex). */
function wireName(name: string): string {
  const labels = name.split('.').map((label) => Buffer.concat([Buffer.from([label.length]), Buffer.from(label, 'ascii')]));
  return Buffer.concat([...labels, Buffer.from([0])]).toString('hex');
}

/** A UDP port free on both loopback addresses a moment ago. */
async function freeUdpPort(): Promise<number> {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

/**
 * dnsmasq serving a small zone (written to a config file in a temp directory, no system file read) on
 * 127.0.0.1 and ::1 at a high port: A/AAAA, CNAME, MX, TXT and NS records under example.test, NXDOMAIN for
 * other names there, REFUSED for names elsewhere (it has no upstream). Stopped by pid.
 */
class DnsmasqPeer {
  private constructor(
    private readonly process: TestProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  static async start(): Promise<DnsmasqPeer> {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-dnsmasq-'));
    const config = path.join(dir, 'example.test.conf');
    for (let attempt = 1; ; attempt++) {
      const port = await freeUdpPort();
      writeFileSync(
        config,
        [
          `port=${port}`,
          'listen-address=127.0.0.1',
          'listen-address=::1',
          'bind-interfaces',
          'no-resolv',
          'no-hosts',
          'no-poll',
          'local=/example.test/',
          'host-record=www.example.test,192.0.2.10,2001:db8::10',
          'host-record=mail.example.test,192.0.2.25',
          'host-record=mail2.example.test,192.0.2.26',
          'cname=alias.example.test,www.example.test',
          'mx-host=example.test,mail.example.test,10',
          'mx-host=example.test,mail2.example.test,20',
          'txt-record=example.test,"v=spf1 -all"',
          'txt-record=_dmarc.example.test,"v=DMARC1; p=reject"',
          `dns-rr=example.test,2,${wireName('ns1.example.test')}`,
          `dns-rr=example.test,2,${wireName('ns2.example.test')}`,
          '',
        ].join('\n'),
      );
      const child = startProcess('dnsmasq', ['--keep-in-foreground', `--conf-file=${config}`, '--log-facility=-', '--pid-file='], {
        label: 'dnsmasq',
      });
      const peer = new DnsmasqPeer(child, port, dir);
      try {
        await child.waitForOutput(/started, version/);
        const probe = new Resolver({ timeout: 1000, tries: 3 });
        probe.setServers([`127.0.0.1:${port}`]);
        await waitUntil('dnsmasq to answer', () => probe.resolve4('www.example.test').catch(() => null), 10_000);
        return peer;
      } catch (error) {
        await child.stop();
        // Someone took the port between our probe and dnsmasq's bind: try another one.
        if (attempt < 3 && /Address already in use/.test(child.stderr)) continue;
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  async stop(): Promise<void> {
    await this.process.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const logger = { debug() {}, info() {}, warn() {} };
const check = new DnsCheck();
const config = (options: Partial<DnsConfig>): DnsConfig => Object.assign(new DnsConfig(), options);
const run = (target: string, options: Partial<DnsConfig>, timeoutMs = 5000) =>
  check.run(target, config(options), createPluginContext({ timeoutMs, logger }));

describe('dns check', () => {
  describe('against dnsmasq on loopback', { skip: !hasDnsmasq && 'dnsmasq is not installed (apt-get install dnsmasq-base)' }, () => {
    let dnsmasq: DnsmasqPeer;
    let resolver: string;
    before(async () => {
      dnsmasq = await DnsmasqPeer.start();
      resolver = `127.0.0.1:${dnsmasq.port}`;
    });
    after(() => dnsmasq?.stop());

    it('A: up with the answers and the time they took', async () => {
      const result = await run('www.example.test', { record_type: 'A', resolver, expected: ['192.0.2.10'] });
      assert.equal(result.status, 'up');
      assert.equal(result.message, 'A: 192.0.2.10');
      assert.deepEqual(result.details, { record_type: 'A', resolver, servers: [resolver], answers: ['192.0.2.10'] });
      assert.ok(typeof result.latencyMs === 'number' && result.latencyMs >= 0 && result.latencyMs < 5000);
    });

    it('AAAA over IPv6, matching an address however it is spelled', async () => {
      const result = await run('www.example.test', {
        record_type: 'AAAA',
        resolver: `[::1]:${dnsmasq.port}`,
        expected: ['2001:DB8:0:0::10'],
      });
      assert.equal(result.status, 'up');
      assert.equal(result.message, 'AAAA: 2001:db8::10');
      assert.equal(result.details!.resolver, `[::1]:${dnsmasq.port}`);
    });

    it('CNAME, NS, MX and TXT with their answers', async () => {
      const cname = await run('alias.example.test', { record_type: 'CNAME', resolver, expected: ['WWW.Example.test.'] });
      assert.deepEqual([cname.status, cname.message], ['up', 'CNAME: www.example.test']);

      const ns = await run('example.test', { record_type: 'NS', resolver, expected: ['ns2.example.test', 'ns1.example.test'] });
      assert.equal(ns.status, 'up');
      assert.deepEqual([...(ns.details!.answers as string[])].sort(), ['ns1.example.test', 'ns2.example.test']);

      const mx = await run('example.test', { record_type: 'MX', resolver, expected: ['mail2.example.test', '10 mail.example.test'] });
      assert.deepEqual([mx.status, mx.message], ['up', 'MX: 10 mail.example.test, 20 mail2.example.test']);

      const txt = await run('example.test', { record_type: 'TXT', resolver, expected: ['v=spf1 -all'] });
      assert.deepEqual([txt.status, txt.message], ['up', 'TXT: "v=spf1 -all"']);
      const dmarc = await run('_dmarc.example.test', { record_type: 'TXT', resolver });
      assert.deepEqual([dmarc.status, dmarc.message], ['up', 'TXT: "v=DMARC1; p=reject"']);
    });

    it('is down naming what is missing when an expected answer is not there', async () => {
      const result = await run('www.example.test', { record_type: 'A', resolver, expected: ['192.0.2.10', '192.0.2.99'] });
      assert.equal(result.status, 'down');
      assert.equal(result.message, 'A: expected 192.0.2.99 missing; got 192.0.2.10');
      assert.deepEqual(result.details!.missing, ['192.0.2.99']);
      const mx = await run('example.test', { record_type: 'MX', resolver, expected: ['20 mail.example.test'] });
      assert.equal(mx.message, 'MX: expected 20 mail.example.test missing; got 10 mail.example.test, 20 mail2.example.test');
      const txt = await run('example.test', { record_type: 'TXT', resolver, expected: ['v=spf1 ~all'] });
      assert.equal(txt.message, 'TXT: expected "v=spf1 ~all" missing; got "v=spf1 -all"');
    });

    it('is down on NXDOMAIN, on a name without that record type, and when the server refuses', async () => {
      const nxdomain = await run('nope.example.test', { record_type: 'A', resolver });
      assert.deepEqual(
        { status: nxdomain.status, latencyMs: nxdomain.latencyMs, message: nxdomain.message },
        { status: 'down', latencyMs: null, message: 'NXDOMAIN: nope.example.test does not exist' },
      );
      const nodata = await run('mail.example.test', { record_type: 'AAAA', resolver });
      assert.deepEqual([nodata.status, nodata.message], ['down', 'no AAAA record for mail.example.test']);
      const refused = await run('www.elsewhere.invalid', { record_type: 'A', resolver });
      assert.deepEqual([refused.status, refused.message], ['down', `REFUSED by ${resolver}`]);
    });
  });

  describe('resolvers that do not answer', () => {
    let silent: dgram.Socket;
    let queries = 0;
    before(async () => {
      silent = dgram.createSocket('udp4');
      silent.on('message', () => queries++);
      await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve));
    });
    after(() => silent.close());

    it('is down with "no answer within <timeout> ms" when the resolver stays silent', async () => {
      const before = queries;
      const result = await run('www.example.test', { resolver: `127.0.0.1:${silent.address().port}` }, 300);
      assert.deepEqual(
        { status: result.status, latencyMs: result.latencyMs, message: result.message },
        { status: 'down', latencyMs: null, message: 'no answer within 300 ms' },
      );
      assert.ok(queries > before, 'the silent resolver was asked');
    });

    it('keeps asking past the resolver library’s own give-up time, up to the monitor timeout', async () => {
      const result = await run('www.example.test', { resolver: `127.0.0.1:${silent.address().port}` }, 2500);
      assert.equal(result.message, 'no answer within 2500 ms');
    });

    it('is down with "connection refused" when nothing listens on the resolver port', async () => {
      const port = await freeUdpPort();
      const result = await run('www.example.test', { resolver: `127.0.0.1:${port}` });
      assert.deepEqual([result.status, result.message], ['down', `connection refused by 127.0.0.1:${port}`]);
    });
  });

  it('names SERVFAIL and the other resolver errors', () => {
    assert.equal(describeDnsError('ESERVFAIL', 'a.example', 'A', '127.0.0.1:53'), 'SERVFAIL from 127.0.0.1:53');
    assert.equal(describeDnsError('EFORMERR', 'a.example', 'A', 'the system resolver'), 'malformed answer from the system resolver');
    assert.equal(describeDnsError('ENOTIMP', 'a.example', 'NS', '127.0.0.1:53'), '127.0.0.1:53 does not implement NS queries');
    assert.equal(describeDnsError('EWEIRD', 'a.example', 'A', '127.0.0.1:53'), 'DNS error EWEIRD asking 127.0.0.1:53');
  });

  it('checks targets before running', () => {
    for (const good of ['www.example.org', 'example.org.', '_dmarc.example.org', 'localhost', 'xn--bcher-kva.example']) {
      assert.equal(check.validateTarget(good), null, good);
    }
    for (const bad of [
      '',
      '192.0.2.1',
      '2001:db8::1',
      'www.example.org:53',
      'https://www.example.org/',
      'a..b',
      '-a.example',
      'a b',
      `${'a'.repeat(64)}.example`,
    ]) {
      assert.equal(check.validateTarget(bad), 'must be a domain name (no IP address, port or URL), e.g. "www.example.org"', bad);
    }
  });

  it('refuses options that cannot work, naming the field', () => {
    const problems = (raw: unknown) => {
      const validation = validatePluginConfig(DnsConfig, raw);
      return validation.ok ? [] : validation.errors.map((error) => `${error.field}: ${error.message}`);
    };
    assert.deepEqual(problems({}), []);
    assert.deepEqual(problems({ record_type: 'AAAA', resolver: '[::1]:5353', expected: ['2001:db8::10'] }), []);
    assert.deepEqual(problems({ record_type: 'SRV' }), ['record_type: must be one of A, AAAA, CNAME, MX, TXT, NS']);
    const resolverMessage =
      'resolver: must be an IP address with an optional port, e.g. "192.0.2.53", "127.0.0.1:5353" or "[::1]:5353", or "" for the system resolver';
    for (const resolver of ['dns.example.org', '127.0.0.1:0', '127.0.0.1:70000', 'dns.example.org:53', '[::1]x']) {
      assert.deepEqual(problems({ resolver }), [resolverMessage], resolver);
    }
    assert.deepEqual(problems({ record_type: 'A', expected: ['2001:db8::1'] }), [
      'expected: must hold A answers: "2001:db8::1" is not an IPv4 address',
    ]);
    assert.deepEqual(problems({ record_type: 'MX', expected: ['mail.example.org', 'ten mail.example.org'] }), [
      'expected: must hold MX answers: "ten mail.example.org" is not a mail server ("mail.example.com" or "10 mail.example.com")',
    ]);
    assert.deepEqual(problems({ expected: '192.0.2.1' }), ['expected: must be a list of answers, e.g. ["192.0.2.10"]']);
  });
});
