import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadServerConfig } from '../config/config.loader.js';
import { configOrigins } from '../config/config-core.js';
import { SECRET_KEYS } from '../config/config.schema.js';
import { effectiveConfig } from './effective-config.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('effective configuration', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-settings-'));
  const file = path.join(dir, 'server.toml');
  writeFileSync(
    file,
    [
      'public_url = "https://ops.example.com/pulse/"',
      '[http]',
      'public_metrics = true',
      '[mail]',
      'password = "hunter2"',
      '[[alarms]]',
      'name = "backups"',
      'pattern = "backup.*"',
      '[alerts.hooks]',
      'type = "webhook"',
      'options = { url = "https://hooks.example.com/x", headers = { Authorization = "Bearer s3cret" } }',
    ].join('\n'),
  );
  const { config } = loadServerConfig({ configPath: file, env: { PULSE_HTTP_LISTEN: '127.0.0.1:5001' }, cwd: dir });
  const tables = effectiveConfig(config, configOrigins(config), { secretKeys: SECRET_KEYS, alerterSecrets: (type) => (type === 'webhook' ? ['headers'] : undefined) });
  const find = (heading: string, key: string) => tables.find((table) => table.heading === heading)!.rows.find((row) => row.key === key)!;

  it('shows every table and key with where its value came from', () => {
    assert.deepEqual(find('[http]', 'public_metrics'), { key: 'public_metrics', value: 'true', origin: 'file', originText: 'line 3', secret: false });
    assert.deepEqual(find('[http]', 'listen'), { key: 'listen', value: '"127.0.0.1:5001"', origin: 'environment', originText: 'PULSE_HTTP_LISTEN', secret: false });
    assert.equal(find('[http]', 'trusted_proxies').origin, 'default');
    assert.equal(find('', 'public_url').value, '"https://ops.example.com/pulse/"');
    assert.equal(find('[[alarms]] #1', 'pattern').originText, 'line 8');
    assert.ok(tables.some((table) => table.heading === '[udp]') && tables.some((table) => table.heading === '[alerting]'));
  });

  it('never shows a secret, from the schema, by its name, or an alerter’s', () => {
    assert.deepEqual({ ...find('[mail]', 'password') }, { key: 'password', value: '"********"', origin: 'file', originText: 'line 5', secret: true });
    assert.equal(find('[database]', 'remote_s3_secret_access_key').value, '""', 'an empty secret shows as empty');
    assert.equal(find("[alerts.hooks]", "options.headers").value, `{ Authorization = "********" }`);
    assert.equal(find('[alerts.hooks]', 'options.url').value, '"********"', 'a URL may carry a key: masked like [database] url');
    assert.equal(find('[alerts.hooks]', 'options.url').originText, 'line 11', 'an inline table entry has its line');
    assert.equal(find('[alerts.hooks]', 'type').value, '"webhook"');
    assert.ok(!JSON.stringify(tables).includes('hunter2') && !JSON.stringify(tables).includes('s3cret'));
  });
});
