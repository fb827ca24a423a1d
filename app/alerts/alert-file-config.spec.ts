import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { readServerConfig } from '../config/config.loader.js';
import { loadPluginModules } from '../plugin-host/plugin-loader.js';
import { alerterDeclarations, readAlertFileConfig, type AlerterDeclaration } from './alert-file-config.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-alert-file-'));
const alerters = alerterDeclarations(await loadPluginModules('server'));

/** Reads a config text with the shipped alerters' declarations; the warnings, or the refusal's message. */
function read(toml: string, env: Record<string, string> = {}, declarations: readonly AlerterDeclaration[] = alerters) {
  const file = path.join(dir, `c${Math.random().toString(36).slice(2)}.toml`);
  writeFileSync(file, toml);
  const loaded = readServerConfig({ configPath: file, env, cwd: dir, defaultPath: path.join(dir, 'none.toml') });
  try {
    const alerting = readAlertFileConfig(loaded.config.alerts, loaded.rest, declarations);
    return { alerting, warnings: loaded.rest.settle(), refusal: null };
  } catch (error) {
    return { alerting: null, warnings: [], refusal: (error as Error).message };
  }
}

describe('alert channels from the config file', () => {
  it("reads Lovebeat's keys into each alerter's own options, several per channel, in the order written", () => {
    const { alerting, warnings } = read(
      [
        '[alerts.ops]',
        'mail = "ops@example.com"',
        'webhook = "http://127.0.0.1:9/hook"',
        'slack_channel = "#ops"',
        'script = "/usr/local/bin/notify"',
        'snmp_trap = "nms.example.com:162"',
        'snmp_community = "private"',
        'default = true',
        '[slack]',
        'webhook_url = "https://hooks.slack.com/services/T/B/X"',
      ].join('\n'),
    );
    assert.deepEqual(warnings, []);
    const [channel] = alerting!.channels;
    assert.equal(channel!.isDefault, true);
    assert.deepEqual(channel!.targets, [
      { type: 'mail', settings: { to: 'ops@example.com' } },
      { type: 'webhook', settings: { url: 'http://127.0.0.1:9/hook' } },
      { type: 'slack', settings: { channel: '#ops' } },
      { type: 'script', settings: { path: '/usr/local/bin/notify' } },
      {
        type: 'snmp-trap',
        settings: {
          target: 'nms.example.com:162',
          version: '2c',
          community: 'private',
          user: '',
          auth_protocol: '',
          auth_key: '',
          priv_protocol: '',
          priv_key: '',
          engine_id: '',
        },
      },
    ]);
    assert.deepEqual(alerting!.serverWideSettings('slack'), { webhook_url: 'https://hooks.slack.com/services/T/B/X' });
  });

  it('takes an [alerts.NAME.<alerter>] table with the same option names as the API', () => {
    const { alerting, warnings } = read(
      [
        '[alerts.hook.webhook]',
        'url = "http://127.0.0.1:9/hook"',
        'headers = { Authorization = "Bearer x" }',
        'colour = "red"',
        '[alerts.run.script]',
        'path = "/usr/local/bin/notify"',
      ].join('\n'),
    );
    assert.deepEqual(warnings, ['Unknown configuration key "alerts.hook.webhook.colour" (line 4) ignored']);
    assert.deepEqual(
      alerting!.channels.map((channel) => channel.targets),
      [
        [{ type: 'webhook', settings: { url: 'http://127.0.0.1:9/hook', headers: { Authorization: 'Bearer x' } } }],
        [{ type: 'script', settings: { path: '/usr/local/bin/notify' } }],
      ],
    );
  });

  it('refuses one alerter given twice in a channel, and a value its config class refuses, naming the key as written', () => {
    const refusal = read(
      ['[alerts.ops]', 'slack_channel = "#a"', '[alerts.ops.slack]', 'channel = "#b"', '[alerts.x.script]', 'path = "relative"'].join('\n'),
    ).refusal!;
    assert.match(refusal, /alerts\.ops\.slack \(line 3\): the channel already sends through slack; give its options in one place/);
    assert.match(refusal, /alerts\.x\.script\.path = "relative" \(line 6\): must be the absolute path of an executable file/);
  });

  it('says what a channel lacks that a server-wide section would give', () => {
    assert.match(
      read('[alerts.chat]\nslack_channel = "#ops"\n').refusal!,
      /alerts\.chat\.slack_channel = "#ops" \(line 2\): the slack alerter also needs webhook_url \(set \[slack\] webhook_url\): must be the incoming-webhook URL Slack gave you/,
    );
  });

  it("lets an alerter's sections be set from PULSE_<SECTION>_<KEY>, typed as their defaults, and hides secrets in refusals", () => {
    const { alerting } = read('[mail]\nserver = "relay:25"\n', { PULSE_MAIL_SERVER: 'other:587', PULSE_MAIL_TLS: 'true' });
    assert.deepEqual(alerting!.serverWideSettings('mail'), { server: 'other:587', tls: true });
    const refusal = read('[mailgun]\napi_key = 12345\n').refusal!;
    assert.match(refusal, /mailgun\.api_key = <hidden> \(line 2\): must be a string/);
    assert.doesNotMatch(refusal, /12345/);
  });

  it('refuses two alerters declaring the same key or section, naming both folders', () => {
    const mail = alerters.find((alerter) => alerter.id === 'mail')!;
    const copy = { ...mail, id: 'mail2', folder: 'plugins/alerters/mail2' };
    const refusal = read('', {}, [...alerters, copy]).refusal!;
    assert.match(refusal, /plugins\/alerters\/mail2: \[alerts\.NAME\] key "mail" is declared by plugins\/alerters\/mail too/);
    assert.match(refusal, /plugins\/alerters\/mail2: the section \[mail\] is declared by plugins\/alerters\/mail too/);
  });
});
