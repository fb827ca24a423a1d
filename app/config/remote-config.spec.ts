import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadAgentConfig, loadPollerConfig } from './config.loader.js';

const cwd = mkdtempSync(path.join(os.tmpdir(), 'pulse-remote-config-'));
const NO_DEFAULT = path.join(cwd, 'absent.conf');
const POLLER_TOKEN = `sw_poller_${'ab'.repeat(32)}`;
const AGENT_TOKEN = `sw_agent_${'cd'.repeat(32)}`;
const CA_FILE = path.join(cwd, 'ca.pem');
writeFileSync(CA_FILE, '-----BEGIN CERTIFICATE-----\n');

function file(text: string): string {
  const configPath = path.join(cwd, `c${Math.random().toString(36).slice(2)}.conf`);
  writeFileSync(configPath, text);
  return configPath;
}

const poller = (text: string | null, env: Record<string, string> = {}) =>
  loadPollerConfig({ configPath: text === null ? undefined : file(text), env, cwd, defaultPath: NO_DEFAULT });
const agent = (text: string | null, env: Record<string, string> = {}) =>
  loadAgentConfig({ configPath: text === null ? undefined : file(text), env, cwd, defaultPath: NO_DEFAULT });

function refusal(load: () => unknown): ConfigError {
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    assert.equal(error.exitCode, 78);
    return error;
  }
  assert.fail('configuration was accepted');
}

describe('poller configuration (poller.conf)', () => {
  it('reads the file the installer writes, with the defaults for what it leaves out', () => {
    const { config, warnings } = poller(
      `server = "https://pulse.example.com/"\ntoken = "${POLLER_TOKEN}"\nname = "dc2-poller"\nlocation = "Frankfurt DC2"\nca_file = "ca.pem"\n`,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      [config.server, config.token, config.name, config.location, config.ca_file, config.insecure_skip_verify],
      ['https://pulse.example.com/', POLLER_TOKEN, 'dc2-poller', 'Frankfurt DC2', CA_FILE, false],
    );
    assert.deepEqual(
      [config.data_dir, config.outbox_max_mb, config.outbox_max_age_hours, config.max_concurrent_checks, config.plugins.dir],
      ['/var/lib/lillydoo-pulse-poller', 64, 24, 500, '/etc/lillydoo-pulse/plugins'],
    );
  });

  it('takes the host name when no name is given, and resolves paths against the working directory', () => {
    const { config } = poller(`server = "http://10.0.0.5:5000"\ntoken = "${POLLER_TOKEN}"\ndata_dir = "state"\n[plugins]\ndir = "mine"\n`);
    assert.equal(config.name, os.hostname());
    assert.equal(config.data_dir, path.join(cwd, 'state'));
    assert.equal(config.plugins.dir, path.join(cwd, 'mine'));
  });

  it('warns about an unknown key with its line, and still starts', () => {
    const { warnings } = poller(
      `server = "https://pulse.example.com/"\ntoken = "${POLLER_TOKEN}"\nlocaton = "Berlin"\n[plugins]\ndirs = "x"\n`,
    );
    assert.deepEqual(warnings, [
      'Unknown configuration key "locaton" (line 3) ignored',
      'Unknown configuration key "plugins.dirs" (line 5) ignored',
    ]);
  });

  it('refuses invalid values naming the key, the value, the line and what is allowed, never echoing the token', () => {
    const { message } = refusal(() =>
      poller(
        `server = "pulse.example.com"\ntoken = "sw_admin_${'00'.repeat(32)}"\noutbox_max_mb = "lots"\nmax_concurrent_checks = 0\ninsecure_skip_verify = "no"\nca_file = "missing.pem"\n`,
      ),
    );
    assert.match(message, /^Invalid configuration \(.*\.conf\):\n/);
    assert.match(
      message,
      /server = "pulse\.example\.com" \(line 1\): must be the Pulse server's URL, e\.g\. "https:\/\/pulse\.example\.com\/"/,
    );
    assert.match(message, /token = <hidden> \(line 2\): must be a poller token: "sw_poller_" and 64 hex digits/);
    assert.match(message, /outbox_max_mb = "lots" \(line 3\): must be a whole number/);
    assert.match(message, /max_concurrent_checks = 0 \(line 4\): must be at least 1/);
    assert.match(message, /insecure_skip_verify = "no" \(line 5\): must be true or false/);
    assert.match(message, /ca_file = "missing\.pem" \(line 6\): no such file/);
    assert.doesNotMatch(message, /sw_admin_/);
  });

  it('refuses to start without a file, saying which file it looked for and what is missing', () => {
    const { message } = refusal(() => poller(null));
    assert.match(message, new RegExp(`no file: ${NO_DEFAULT.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} does not exist; give --config FILE`));
    assert.match(message, /server = "" \(default\): must be the Pulse server's URL/);
    assert.match(message, /token = "" \(default\): must be a poller token/);
  });

  it('lets PULSE_* variables override the file, and runs from the environment alone', () => {
    const { config } = poller(`server = "https://old.example.com/"\ntoken = "${POLLER_TOKEN}"\n`, {
      PULSE_SERVER: 'https://pulse.example.com/',
      PULSE_OUTBOX_MAX_MB: '128',
      PULSE_PLUGINS_DIR: '/opt/pulse-plugins',
      PULSE_INSECURE_SKIP_VERIFY: 'false',
    });
    assert.deepEqual([config.server, config.outbox_max_mb, config.plugins.dir], ['https://pulse.example.com/', 128, '/opt/pulse-plugins']);
    const fromEnvironment = poller(null, { PULSE_SERVER: 'https://pulse.example.com/', PULSE_TOKEN: POLLER_TOKEN });
    assert.equal(fromEnvironment.file, null);
    assert.equal(fromEnvironment.config.token, POLLER_TOKEN);
    const { message } = refusal(() =>
      poller(null, { PULSE_SERVER: 'https://x/', PULSE_TOKEN: POLLER_TOKEN, PULSE_OUTBOX_MAX_AGE_HOURS: 'ever' }),
    );
    assert.match(message, /outbox_max_age_hours = "ever" \(environment PULSE_OUTBOX_MAX_AGE_HOURS\): must be a whole number/);
  });

  it('warns at every start that insecure_skip_verify leaves the server unverified', () => {
    const { warnings } = poller(`server = "https://pulse.example.com/"\ntoken = "${POLLER_TOKEN}"\ninsecure_skip_verify = true\n`);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^insecure_skip_verify = true \(line 3\): the server's TLS certificate is not verified/);
  });
});

describe('agent configuration (agent.conf)', () => {
  it('reads the file, with the defaults for what it leaves out', () => {
    const { config, warnings } = agent(
      `server = "https://pulse.example.com/"\ntoken = "${AGENT_TOKEN}"\ninterval = 60\ncollectors = ["cpu", "disk"]\ndisks_exclude = ["/snap/*"]\n`,
    );
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      [config.server, config.interval, config.collectors, config.disks_exclude, config.data_dir, config.outbox_max_mb],
      ['https://pulse.example.com/', 60, ['cpu', 'disk'], ['/snap/*'], '/var/lib/lillydoo-pulse-agent', 64],
    );
    assert.equal(agent(`server = "https://p/"\ntoken = "${AGENT_TOKEN}"\n`).config.interval, 30);
  });

  it('warns about an unknown key with its line', () => {
    const { warnings } = agent(`server = "https://p/"\ntoken = "${AGENT_TOKEN}"\n\ncolectors = ["cpu"]\n`);
    assert.deepEqual(warnings, ['Unknown configuration key "colectors" (line 4) ignored']);
  });

  it('refuses invalid values naming the key, the value, the line and what is allowed', () => {
    const { message } = refusal(() =>
      agent(`server = "https://p/"\ntoken = "${POLLER_TOKEN}"\ninterval = 1\ncollectors = "cpu"\ndisks_exclude = [1]\n`),
    );
    assert.match(message, /token = <hidden> \(line 2\): must be an agent token: "sw_agent_" and 64 hex digits/);
    assert.match(message, /interval = 1 \(line 3\): must be at least 5 \(seconds\)/);
    assert.match(message, /collectors = "cpu" \(line 4\): must be a list of collector names, e\.g\. \["cpu", "memory", "disk"\]/);
    assert.match(message, /disks_exclude = \[1\] \(line 5\): must be a list of mount point globs/);
  });

  it('lets PULSE_* variables override the file', () => {
    const { config } = agent(`server = "https://p/"\ntoken = "${AGENT_TOKEN}"\ninterval = 60\n`, {
      PULSE_INTERVAL: '15',
      PULSE_COLLECTORS: 'cpu, memory',
      PULSE_DATA_DIR: '/srv/agent',
    });
    assert.deepEqual([config.interval, config.collectors, config.data_dir], [15, ['cpu', 'memory'], '/srv/agent']);
  });
});
