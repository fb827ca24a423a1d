import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NetworkPolicy } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { ALL_EVENTS, alarmError, monitorDown } from '../../../test/fixtures/alert-events.js';
import { HttpReceiver } from '../../../test/peers/http-receiver.js';
import { assertGolden } from '../../../test/support/golden.js';
import { rejectionOf } from '../../../test/support/plugin-errors.js';
import { WebhookAlerter } from './webhook.alerter.js';
import { WebhookConfig } from './webhook.config.js';

const alerter = new WebhookAlerter();
const logger = { debug() {}, info() {}, warn() {} };
const context = (timeoutMs = 5000, network?: NetworkPolicy) => createPluginContext({ timeoutMs, logger, network });
const config = (url: string, headers: Record<string, string> = {}) => Object.assign(new WebhookConfig(), { url, headers });

describe('webhook alerter', () => {
  let receiver: HttpReceiver;
  before(async () => {
    receiver = await HttpReceiver.start();
  });
  after(() => receiver.stop());

  it('renders every kind of event as the golden files say', () => {
    for (const [name, event] of Object.entries(ALL_EVENTS)) {
      const message = alerter.render(event, config('https://hooks.example.com/pulse'));
      assertGolden(`plugins/alerters/webhook/golden/${name}.json`, `${JSON.stringify(JSON.parse(message.body), null, 2)}\n`);
    }
  });

  it("sends alarms with exactly Lovebeat's body and headers", async () => {
    receiver.status = 200;
    await alerter.send(alerter.render(alarmError, config(`${receiver.url}/hook`)), config(`${receiver.url}/hook`), context());
    const request = receiver.requests.at(-1)!;
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/hook');
    assert.equal(request.headers['content-type'], 'application/json');
    assert.equal(request.headers['user-agent'], 'LILLYDOO-Pulse');
    assert.equal(request.headers['x-lovebeat'], '1');
    assert.deepEqual(JSON.parse(request.body), { name: 'backup-jobs', from_state: 'ok', to_state: 'error', incident_number: 4 });
  });

  it('adds kind, id, message, sources and url for monitor events, and the extra headers', async () => {
    const settings = config(`${receiver.url}/hook`, { Authorization: 'Bearer abc', 'X-Lovebeat': 'ignored' });
    await alerter.send(alerter.render(monitorDown, settings), settings, context());
    const request = receiver.requests.at(-1)!;
    assert.equal(request.headers.authorization, 'Bearer abc');
    assert.equal(request.headers['x-lovebeat'], '1', 'the protocol headers cannot be overridden');
    const body = JSON.parse(request.body);
    assert.equal(body.kind, 'monitor');
    assert.equal(body.id, '42');
    assert.equal(body.to_state, 'down');
    assert.equal(body.message, 'HTTP 503');
    assert.equal(body.sources.length, 2);
    assert.equal(body.url, 'https://pulse.example.com/monitoring/pulse/monitors/42');
  });

  it('classifies answers: 5xx and 429 temporary, 4xx and redirects permanent, connection refused temporary', async () => {
    const settings = config(`${receiver.url}/hook`);
    for (const [status, temporary] of [
      [500, true],
      [503, true],
      [429, true],
      [404, false],
      [400, false],
      [302, false],
    ] as const) {
      receiver.status = status;
      const error = await rejectionOf(alerter.send(alerter.render(monitorDown, settings), settings, context()));
      assert.equal(error.temporary, temporary, `HTTP ${status}`);
      assert.match(error.message, new RegExp(`HTTP ${status}`));
    }
    receiver.status = 200;
    const closed = await HttpReceiver.start();
    const closedUrl = closed.url;
    await closed.stop();
    const refused = await rejectionOf(alerter.send(alerter.render(monitorDown, config(closedUrl)), config(closedUrl), context()));
    assert.equal(refused.temporary, true);
    assert.match(refused.message, /ECONNREFUSED/);
  });

  it('posts to a receiver named by host name, and refuses denied addresses before sending anything', async () => {
    receiver.status = 200;
    const port = new URL(receiver.url).port;
    const byName = config(`http://localhost:${port}/named`);
    await alerter.send(alerter.render(monitorDown, byName), byName, context(5000, new NetworkPolicy({ deny: ['127.0.0.2'] })));
    assert.equal(receiver.requests.at(-1)!.path, '/named');
    const before = receiver.requests.length;
    const denied = new NetworkPolicy({ deny: ['127.0.0.0/8', '::1'] });
    for (const url of [`http://localhost:${port}/x`, `${receiver.url}/x`, `http://2130706433:${port}/x`, `http://[::ffff:7f00:1]:${port}/x`]) {
      const error = await rejectionOf(alerter.send(alerter.render(monitorDown, config(url)), config(url), context(5000, denied)));
      assert.equal(error.temporary, false, url);
      assert.match(error.message, /^webhook \S+ refused: .* is listed in \[alerting\] deny_networks \((127\.0\.0\.0\/8|::1)\)/, url);
    }
    assert.equal(receiver.requests.length, before, 'no request reached the receiver');
  });

  it('gives up on a receiver that does not answer within the timeout (temporary)', async () => {
    receiver.delayMs = 2000;
    try {
      const error = await rejectionOf(alerter.send(alerter.render(monitorDown, config(receiver.url)), config(receiver.url), context(200)));
      assert.equal(error.temporary, true);
      assert.match(error.message, /no answer within 200 ms/);
    } finally {
      receiver.delayMs = 0;
    }
  });
});
