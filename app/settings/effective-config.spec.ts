import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alertsKeyIsSecret } from '../alerts/alert-file-secrets.js';
import { configOrigins } from '../config/config-core.js';
import { loadServerConfig } from '../config/config.loader.js';
import { SECRET_KEYS } from '../config/config.schema.js';
import { effectiveConfig } from './effective-config.js';

/** Declarations as the webhook and mail alerters make them (which options are secrets, which keys are Lovebeat's). */
const ALERTERS = [
  { id: 'webhook', meta: { secrets: ['url', 'headers'], file: { key: 'webhook', option: 'url' } } },
  { id: 'mail', meta: { secrets: ['password'], file: { key: 'mail', option: 'to' } } },
];

describe('effective configuration', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-settings-'));
  const file = path.join(dir, 'server.toml');
  writeFileSync(
    file,
    [
      'public_url = "https://ops.example.com/pulse/"',
      '[http]',
      'public_metrics = true',
      '[database]',
      'remote_s3_secret_access_key = "AKIAsecretvalue"',
      '[[alarms]]',
      'name = "backups"',
      'pattern = "backup.*"',
      'alerts = ["ops", "hooks"]',
      '[alerts.hooks]',
      'type = "webhook"',
      'options = { url = "https://hooks.example.com/x?key=k3y", headers = { Authorization = "Bearer s3cret" }, timeout = 5 }',
      '[alerts.ops]',
      'mail = "ops@example.com"',
      'webhook = "https://hooks.example.com/lovebeat?key=l0vebeat"',
      '[alerts.other]',
      'type = "pager"',
      'options = { routing = "r0uting" }',
    ].join('\n'),
  );
  const { config } = loadServerConfig({ configPath: file, env: { PULSE_HTTP_LISTEN: '127.0.0.1:5001' }, cwd: dir });
  const tables = effectiveConfig(config, configOrigins(config), {
    secretKeys: SECRET_KEYS,
    isSecret: (keyPath) => keyPath === 'mail.password' || alertsKeyIsSecret(keyPath, config.alerts as never, ALERTERS),
    pluginSections: [{ name: 'mail', owner: 'the Mail alerter', values: { server: 'smtp.example.com', password: 'hunter2', port: 587 } }],
  });
  const table = (heading: string) => tables.find((candidate) => candidate.heading === heading)!;
  const find = (heading: string, key: string) => table(heading).rows.find((row) => row.key === key)!;

  it('shows every table and key with where its value came from', () => {
    assert.deepEqual(find('[http]', 'public_metrics'), {
      key: 'public_metrics',
      value: 'true',
      origin: 'file',
      originText: 'line 3',
      secret: false,
    });
    assert.deepEqual(find('[http]', 'listen'), {
      key: 'listen',
      value: '"127.0.0.1:5001"',
      origin: 'environment',
      originText: 'PULSE_HTTP_LISTEN',
      secret: false,
    });
    assert.equal(find('[http]', 'trusted_proxies').origin, 'default');
    assert.equal(find('[http]', 'trusted_proxies').value, '[]');
    assert.equal(find('[[alarms]] #1', 'alerts').value, '["ops", "hooks"]', 'a list as the file writes it');
    assert.equal(find('', 'public_url').value, '"https://ops.example.com/pulse/"');
    assert.equal(find('[[alarms]] #1', 'pattern').originText, 'line 8');
    assert.ok(tables.some((candidate) => candidate.heading === '[udp]') && tables.some((candidate) => candidate.heading === '[alerting]'));
    assert.equal(table('[mail]').owner, 'the Mail alerter', 'a plugin’s section says whose it is');
    assert.equal(find('[mail]', 'port').value, '587');
    assert.equal(find('[alerts.hooks]', 'options.timeout').value, '5');
    assert.equal(find('[alerts.hooks]', 'options.timeout').originText, 'line 12', 'an inline table entry has its line');
  });

  it('never shows a secret: by the schema, by its name, or as the alerter that reads it says', () => {
    assert.deepEqual(find('[database]', 'remote_s3_secret_access_key'), {
      key: 'remote_s3_secret_access_key',
      value: '"********"',
      origin: 'file',
      originText: 'line 5',
      secret: true,
    });
    assert.equal(find('[database]', 'url').value, '""', 'an empty secret shows as empty');
    assert.equal(find('[database]', 'url').secret, false);
    assert.equal(find('[mail]', 'password').value, '"********"');
    assert.equal(find('[alerts.hooks]', 'options.headers').value, `{ Authorization = "********" }`, 'header names stay readable');
    assert.equal(find('[alerts.hooks]', 'options.url').value, '"********"', 'a webhook URL may carry a key');
    assert.equal(find('[alerts.hooks]', 'type').value, '"webhook"');
    assert.equal(find('[alerts.ops]', 'mail').value, '"ops@example.com"', 'Lovebeat’s mail key sets to, no secret');
    assert.equal(find('[alerts.ops]', 'webhook').value, '"********"', 'Lovebeat’s webhook key sets the url');
    assert.equal(find('[alerts.other]', 'options.routing').value, '"********"', 'an alerter that is not installed: all its options');
    const everything = JSON.stringify(tables);
    for (const secret of ['AKIAsecretvalue', 'hunter2', 's3cret', 'k3y', 'l0vebeat', 'r0uting'])
      assert.ok(!everything.includes(secret), secret);
  });
});
