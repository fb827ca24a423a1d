import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer, SERVER_ENTRY } from '../peers/pulse-server.js';
import { canUseNamespaces, namespaceHost, type NamespaceHost } from '../support/netns.js';

/**
 * SPEC §13 with real link-local and metadata targets. The server runs in a network namespace of its own:
 * its only routes are loopback and a veth pair in 198.18.0.0/15 to this test, so even a target Pulse failed
 * to refuse could not be reached (it would get "network unreachable", which these tests tell apart from a
 * refusal) and no packet to those addresses can leave the machine.
 */
describe(
  'alert targets on link-local and metadata addresses are refused (SPEC §13)',
  { skip: !canUseNamespaces && 'needs root for a network namespace' },
  () => {
    let host: NamespaceHost;
    let redirecting: HttpReceiver;
    let server: PulseServer;
    let admin: string;

    before(async () => {
      host = await namespaceHost({
        // Names that resolve inside the namespace only (ip netns exec mounts this over /etc/hosts).
        hosts: ['127.0.0.1 localhost', '169.254.169.254 metadata.pulse.test', 'fd00:ec2::254 metadata6.pulse.test', ''].join('\n'),
      });
      try {
        redirecting = await HttpReceiver.start(host.peerAddress);
        redirecting.status = 302;
        redirecting.responseHeaders = { location: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' };
        server = await PulseServer.start({
          executable: 'ip',
          args: ['netns', 'exec', host.namespace, process.execPath, SERVER_ENTRY],
          env: { PULSE_HTTP_LISTEN: `${host.address}:0` },
          host: host.address,
          config: ['[alerting]', 'allow_networks = ["169.254.77.0/24"]'].join('\n'),
        });
        admin = server.adminToken!;
      } catch (error) {
        await redirecting?.stop();
        await host.dispose();
        throw error;
      }
    });
    after(async () => {
      await server?.dispose();
      await redirecting?.stop();
      await host?.dispose();
    });

    const create = async (name: string, type: string, settings: Record<string, unknown>) => {
      const response = await server.request('POST', '/api/alerts', { token: admin, json: { name, type, settings } });
      assert.equal(response.status, 201, response.text);
    };
    const testSend = async (name: string) =>
      (await server.request('POST', `/api/alerts/${name}/test`, { token: admin })).json.deliveries[0];

    it('refuses every spelling of them, for webhooks, Slack, Mailgun and the SMTP relay, as a permanent error', async () => {
      const mail = { to: 'ops@example.com' };
      const cases: [string, string, Record<string, unknown>, RegExp][] = [
        [
          'dotted',
          'webhook',
          { url: 'http://169.254.169.254/latest/meta-data/' },
          /^webhook 169\.254\.169\.254 refused: 169\.254\.169\.254 is link-local/,
        ],
        ['decimal', 'webhook', { url: 'http://2852039166/latest/meta-data/' }, /refused: 169\.254\.169\.254 is link-local/],
        ['octal', 'webhook', { url: 'http://0251.0376.0251.0376/' }, /refused: 169\.254\.169\.254 is link-local/],
        ['hex', 'webhook', { url: 'http://0xa9fea9fe/' }, /refused: 169\.254\.169\.254 is link-local/],
        ['mapped', 'webhook', { url: 'http://[::ffff:169.254.169.254]/' }, /refused: ::ffff:a9fe:a9fe is link-local/],
        ['aws-v6', 'webhook', { url: 'http://[fd00:ec2::254]/' }, /refused: fd00:ec2::254 is a cloud metadata address/],
        ['v6-link-local', 'webhook', { url: 'https://[fe80::1]:8443/' }, /refused: fe80::1 is IPv6 link-local/],
        [
          'by-name',
          'webhook',
          { url: 'http://metadata.pulse.test/' },
          /refused: metadata\.pulse\.test resolves to 169\.254\.169\.254 is link-local/,
        ],
        ['by-name-v6', 'webhook', { url: 'http://metadata6.pulse.test/' }, /refused: metadata6\.pulse\.test resolves to fd00:ec2::254/],
        ['slack', 'slack', { webhook_url: 'http://0xa9fea9fe/services/T/B/X' }, /^Slack refused: 169\.254\.169\.254 is link-local/],
        [
          'mailgun',
          'mail',
          { ...mail, mailgun_domain: 'mg.example.com', mailgun_api_key: 'key', mailgun_url: 'http://169.254.169.254' },
          /^Mailgun refused: 169\.254\.169\.254 is link-local/,
        ],
        [
          'relay-decimal',
          'mail',
          { ...mail, server: '2852039166:25' },
          /^SMTP relay 2852039166:25 refused: 2852039166 resolves to 169\.254\.169\.254 is link-local/,
        ],
        [
          'relay-name',
          'mail',
          { ...mail, server: 'metadata.pulse.test:25' },
          /^SMTP relay metadata\.pulse\.test:25 refused: .*169\.254\.169\.254 is link-local/,
        ],
        [
          'relay-v6',
          'mail',
          { ...mail, server: '[fd00:ec2::254]:25' },
          /^SMTP relay \[fd00:ec2::254\]:25 refused: fd00:ec2::254 is a cloud metadata address/,
        ],
      ];
      for (const [name, type, settings] of cases) await create(name, type, settings);
      const deliveries = await Promise.all(cases.map(([name]) => testSend(name)));
      cases.forEach(([name, , , message], index) => {
        const delivery = deliveries[index];
        assert.equal(delivery.status, 'failed', `${name}: ${JSON.stringify(delivery)}`);
        assert.match(delivery.last_error, message, name);
        assert.match(delivery.last_error, /unless \[alerting\] allow_networks lists it$/, name);
        assert.deepEqual(
          delivery.attempt_log.map((attempt: { temporary: boolean }) => attempt.temporary),
          [false],
          `${name}: refused once, never retried`,
        );
      });
    });

    it('does not follow a redirect from a receiver to a metadata address', async () => {
      await create('redirected', 'webhook', { url: `${redirecting.url}/hook` });
      const delivery = await testSend('redirected');
      assert.equal(delivery.status, 'failed');
      assert.match(
        delivery.last_error,
        /answered HTTP 302 \(a redirect to http:\/\/169\.254\.169\.254\/latest\/meta-data\/iam\/security-credentials\/\); configure the final URL$/,
      );
      assert.equal(redirecting.requests.length, 1, 'the receiver was asked once; the redirect was not followed');
    });

    it('connects to a link-local range that allow_networks lists (here: network unreachable, not refused)', async () => {
      await create('allowed', 'webhook', { url: 'http://169.254.77.7/hook' });
      // The test send answers after the first try of a temporary failure, with the retry to come.
      const sent = await server.request('POST', '/api/alerts/allowed/test', { token: admin });
      const [attempted] = sent.json.deliveries;
      assert.equal(attempted.status, 'pending', 'tried, and to be tried again');
      assert.match(attempted.attempt_log[0].error, /^webhook 169\.254\.77\.7 unreachable: ENETUNREACH$/);
      assert.equal(attempted.attempt_log[0].temporary, true);
      // Deleting the channel cancels the retry.
      assert.equal((await server.request('DELETE', '/api/alerts/allowed', { token: admin })).status, 200);
      const [cancelled] = (await server.request('GET', '/api/alerts/deliveries?channel=allowed&limit=1', { token: admin })).json.deliveries;
      assert.equal(cancelled.status, 'cancelled');
    });
  },
);
