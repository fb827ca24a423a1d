import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PluginError } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { ALL_EVENTS, hostile, monitorDown, monitorRecovered } from '../../../test/fixtures/alert-events.js';
import { HttpReceiver } from '../../../test/peers/http-receiver.js';
import { assertGolden } from '../../../test/support/golden.js';
import { SlackAlerter } from './slack.alerter.js';
import { SlackConfig } from './slack.config.js';

const alerter = new SlackAlerter();
const logger = { debug() {}, info() {}, warn() {} };
const context = () => createPluginContext({ timeoutMs: 5000, logger });
const config = (webhook_url: string) => Object.assign(new SlackConfig(), { channel: '#ops', webhook_url });

describe('slack alerter', () => {
  let slack: HttpReceiver;
  before(async () => {
    slack = await HttpReceiver.start();
  });
  after(() => slack.stop());

  it('renders every kind of event as the golden files say', () => {
    for (const [name, event] of Object.entries(ALL_EVENTS)) {
      assertGolden(
        `plugins/alerters/slack/golden/${name}.json`,
        `${JSON.stringify(alerter.render(event, config('https://hooks.slack.com/x')).payload, null, 2)}\n`,
      );
    }
  });

  it('colours by state and links the title to the console', () => {
    const down = alerter.render(monitorDown, config('https://x')).payload.attachments as { color: string; title_link: string }[];
    assert.equal(down[0]!.color, 'danger');
    assert.equal(down[0]!.title_link, 'https://pulse.example.com/monitoring/pulse/monitors/42');
    const up = alerter.render(monitorRecovered, config('https://x')).payload.attachments as { color: string }[];
    assert.equal(up[0]!.color, 'good');
  });

  it('escapes mentions and links that arrive in names', () => {
    const text = JSON.stringify(alerter.render(hostile, config('https://x')).payload);
    assert.ok(!text.includes('<!channel>') && !text.includes('<@U123>') && !text.includes('<https://evil|click>'));
    assert.ok(text.includes('&lt;!channel&gt;'));
  });

  it('posts the payload to the incoming webhook', async () => {
    await alerter.send(
      alerter.render(monitorDown, config(`${slack.url}/services/T/B/X`)),
      config(`${slack.url}/services/T/B/X`),
      context(),
    );
    const request = slack.requests.at(-1)!;
    assert.equal(request.path, '/services/T/B/X');
    const payload = JSON.parse(request.body);
    assert.equal(payload.channel, '#ops');
    assert.equal(payload.attachments[0].title, 'shop.example.com is DOWN');
    assert.equal(payload.attachments[0].fields.length, 2);
  });

  it("treats Slack's 404 channel_not_found as permanent and 500 as temporary", async () => {
    slack.status = 404;
    slack.responseBody = 'channel_not_found';
    try {
      await alerter.send(alerter.render(monitorDown, config(slack.url)), config(slack.url), context());
      assert.fail('should fail');
    } catch (error) {
      assert.ok(error instanceof PluginError && !error.temporary && /channel_not_found/.test(error.message), String(error));
    }
    slack.status = 500;
    await assert.rejects(
      alerter.send(alerter.render(monitorDown, config(slack.url)), config(slack.url), context()),
      (error: PluginError) => error.temporary,
    );
    slack.status = 200;
  });
});
