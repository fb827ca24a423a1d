import assert from 'node:assert/strict';
import type dns from 'node:dns';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { AddressRefusedError, cidrProblem, NetworkPolicy } from './network-policy.js';

/** Ways to write a link-local or metadata address in a URL (the URL parser turns the IPv4 ones into dotted form). */
const METADATA_SPELLINGS = [
  'http://169.254.169.254/',
  'http://2852039166/',
  'http://0251.0376.0251.0376/',
  'http://0xa9fea9fe/',
  'http://0xa9.0xfe.0xa9.0xfe/',
  'http://169.254.43518/',
  'http://169.254.169.254./',
  'http://[::ffff:169.254.169.254]/',
  'http://[::ffff:a9fe:a9fe]/',
  'http://[0:0:0:0:0:ffff:a9fe:a9fe]/',
  'http://[::169.254.169.254]/',
  'http://[64:ff9b::a9fe:a9fe]/',
  'http://[64:ff9b:0:0:0:0:a9fe:a9fe]/',
  'http://[fd00:ec2::254]/',
  'http://[FD00:EC2:0:0::254]/',
  'http://[fe80::1]/',
  'http://[febf::1]/',
];

/** A resolver that answers from a table, and changes its answer on the second question (DNS rebinding). */
function tableResolver(table: Record<string, string[][]>): { resolve: typeof dns.lookup; asked: string[] } {
  const asked: string[] = [];
  const resolve = ((hostname: string, _options: unknown, callback: (error: Error | null, addresses: dns.LookupAddress[]) => void) => {
    const answers = table[hostname];
    const round = asked.filter((name) => name === hostname).length;
    asked.push(hostname);
    if (!answers) return process.nextTick(callback, Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), []);
    const addresses = answers[Math.min(round, answers.length - 1)]!;
    process.nextTick(
      callback,
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  }) as unknown as typeof dns.lookup;
  return { resolve, asked };
}

describe('network policy for alert targets (SPEC §13)', () => {
  it('refuses link-local and metadata addresses in every spelling', () => {
    const policy = new NetworkPolicy();
    for (const url of METADATA_SPELLINGS) {
      const host = new URL(url).hostname;
      assert.throws(() => policy.assertHost(host), AddressRefusedError, url);
    }
    assert.match(policy.refusal('169.254.169.254')!, /link-local, where cloud metadata services answer \(169\.254\.0\.0\/16\)/);
    assert.match(policy.refusal('fd00:ec2::254')!, /a cloud metadata address/);
    assert.match(policy.refusal('fe80::1%eth0')!, /IPv6 link-local/);
  });

  it('refuses numeric host spellings that reach lookup unparsed (an SMTP relay "2852039166:25")', async () => {
    // getaddrinfo reads these as numbers (inet_aton) without asking DNS; lookup checks what it returns.
    const policy = new NetworkPolicy();
    for (const host of ['2852039166', '0xa9fea9fe', '0251.0376.0251.0376', '169.254.43518']) {
      await assert.rejects(
        new Promise((done, fail) => policy.lookup(host, { all: true }, (error, addresses) => (error ? fail(error) : done(addresses)))),
        (error: Error) => error instanceof AddressRefusedError && error.message.startsWith(`${host} resolves to 169.254.169.254 is link-local`),
        host,
      );
    }
  });

  it('lets everything else through, loopback and private ranges included', () => {
    const policy = new NetworkPolicy();
    for (const address of ['127.0.0.1', '::1', '10.1.2.3', '192.168.1.1', '198.18.0.1', '169.255.0.1', '::ffff:127.0.0.1', '2001:db8::1', 'fd00:ec2::253']) {
      assert.equal(policy.refusal(address), null, address);
    }
    assert.equal(policy.refusal('hooks.example.com'), null, 'names are checked after DNS, by lookup');
  });

  it('takes more refusals from deny_networks and lifts any refusal for allow_networks', () => {
    const policy = new NetworkPolicy({ deny: ['10.0.0.0/8', 'fd00::/8', '198.18.7.7'], allow: ['169.254.10.0/24', '10.1.2.3'] });
    assert.match(policy.refusal('10.9.9.9')!, /listed in \[alerting\] deny_networks \(10\.0\.0\.0\/8\)/);
    assert.match(policy.refusal('::ffff:10.9.9.9')!, /deny_networks/, 'IPv4-mapped IPv6 is the same address');
    assert.match(policy.refusal('fd12::1')!, /deny_networks \(fd00::\/8\)/);
    assert.match(policy.refusal('198.18.7.7')!, /deny_networks/);
    assert.equal(policy.refusal('198.18.7.8'), null);
    assert.equal(policy.refusal('10.1.2.3'), null, 'allow_networks wins over deny_networks');
    assert.equal(policy.refusal('169.254.10.20'), null, 'and over the built-in refusals');
    assert.equal(policy.refusal('::ffff:169.254.10.20'), null);
    assert.match(policy.refusal('169.254.169.254')!, /link-local/, 'only what allow_networks lists');
  });

  it('names a bad network entry', () => {
    assert.equal(cidrProblem('10.0.0.0/8'), null);
    assert.equal(cidrProblem('fd00:ec2::254'), null);
    for (const entry of ['10.0.0.0/33', 'example.com', '10.0.0.0/8/1', '', 'fe80::/129', '10.0.0.0/x']) {
      assert.match(cidrProblem(entry)!, /is not an IP address or CIDR range/, entry);
    }
    assert.throws(() => new NetworkPolicy({ deny: ['nope'] }), /"nope" is not an IP address or CIDR range/);
  });

  it('checks every answer of a name inside lookup, also the IPv6 and numeric ones', async () => {
    const { resolve } = tableResolver({
      'metadata.test': [['169.254.169.254']],
      'mixed.test': [['127.0.0.1', 'fd00:ec2::254']],
      'mapped.test': [['::ffff:169.254.169.254']],
      'fine.test': [['127.0.0.1', '::1']],
    });
    const policy = new NetworkPolicy({ resolve });
    const lookup = (name: string, all: boolean) =>
      new Promise<unknown>((done, fail) => policy.lookup(name, { all }, (error, address) => (error ? fail(error) : done(address))));
    for (const name of ['metadata.test', 'mixed.test', 'mapped.test']) {
      await assert.rejects(lookup(name, true), (error: Error) => error instanceof AddressRefusedError && error.message.startsWith(`${name} resolves to `));
      await assert.rejects(lookup(name, false), AddressRefusedError);
    }
    assert.deepEqual(await lookup('fine.test', true), [
      { address: '127.0.0.1', family: 4 },
      { address: '::1', family: 6 },
    ]);
    assert.equal(await lookup('fine.test', false), '127.0.0.1');
    await assert.rejects(lookup('missing.test', true), /ENOTFOUND/);
  });

  describe('at connect time', () => {
    let server: http.Server;
    let port: number;
    let connections = 0;
    before(async () => {
      server = http.createServer((_request, response) => response.end('ok'));
      server.on('connection', () => connections++);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('resists DNS rebinding: the address checked is the address connected to', async () => {
      // First answer harmless, every later one refused: a check made before connecting would pass.
      const { resolve, asked } = tableResolver({ 'rebind.test': [['127.0.0.1'], ['127.0.0.2']] });
      const policy = new NetworkPolicy({ resolve, deny: ['127.0.0.2'] });
      assert.equal(policy.refusal('127.0.0.1'), null);
      const before = connections;
      await assert.rejects(
        (async () => {
          await new Promise<void>((done, fail) => policy.lookup('rebind.test', {}, (error) => (error ? fail(error) : done())));
          const socket = await policy.connect('rebind.test', port, AbortSignal.timeout(5000));
          socket.destroy();
        })(),
        (error: Error) => error instanceof AddressRefusedError && /rebind\.test resolves to 127\.0\.0\.2 is listed in \[alerting\] deny_networks/.test(error.message),
      );
      assert.deepEqual(asked, ['rebind.test', 'rebind.test']);
      assert.equal(connections, before, 'nothing connected');
    });

    it('connects to a permitted name and refuses a denied literal before any connection', async () => {
      const { resolve } = tableResolver({ 'receiver.test': [['127.0.0.1']] });
      const policy = new NetworkPolicy({ resolve, deny: ['127.0.0.3'] });
      const before = connections;
      const socket = await policy.connect('receiver.test', port, AbortSignal.timeout(5000));
      socket.destroy();
      await assert.rejects(policy.connect('127.0.0.3', port, AbortSignal.timeout(5000)), AddressRefusedError);
      await assert.rejects(policy.connect('[::ffff:127.0.0.3]', port, AbortSignal.timeout(5000)), AddressRefusedError);
      assert.equal(connections, before + 1);
    });
  });
});
