import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadPluginModules } from '../plugin-host/plugin-loader.js';
import { loadServerSettings } from '../roles/server-settings.js';
import { ConfigError, loadServerConfig } from './config.loader.js';

const fixtures = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
const cwd = mkdtempSync(path.join(os.tmpdir(), 'pulse-config-'));
const NO_DEFAULT = path.join(cwd, 'absent.toml');
/** The server's plugins: their declarations own [mail], [mailgun], [slack] and the keys of [alerts.NAME]. */
const plugins = await loadPluginModules('server');

function load(toml: string | null, env: Record<string, string> = {}) {
  let configPath: string | undefined;
  if (toml !== null) {
    configPath = path.join(cwd, `c${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(configPath, toml);
  }
  return loadServerSettings({ configPath, env, cwd, defaultPath: NO_DEFAULT }, plugins);
}

function refusal(toml: string | null, env: Record<string, string> = {}): string {
  try {
    load(toml, env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${error}`);
    return error.message;
  }
  assert.fail('configuration was accepted');
}

describe('server configuration', () => {
  it('starts on built-in defaults without any file', () => {
    const { config, file, warnings } = load(null);
    assert.equal(file, null);
    assert.deepEqual(warnings, []);
    assert.equal(config.http.listen, ':5000');
    assert.equal(config.udp.listen, ':8127');
    assert.equal(config.tcp.listen, ':8127');
    assert.equal(config.data_dir, path.join(cwd, 'data'));
    assert.equal(config.database.filename, 'pulse.db');
    assert.equal(config.database.url, '');
  });

  it('reads the default path when it exists and no --config is given', () => {
    const defaultPath = path.join(cwd, 'server-default.toml');
    writeFileSync(defaultPath, '[http]\nlisten = "127.0.0.1:6001"\n');
    const { config, file } = loadServerConfig({ env: {}, cwd, defaultPath });
    assert.equal(file, defaultPath);
    assert.equal(config.http.listen, '127.0.0.1:6001');
  });

  it("accepts Lovebeat's documented lovebeat.cfg as it is, with no warnings", () => {
    const { config, warnings, alerting } = loadServerSettings(
      { configPath: path.join(fixtures, 'lovebeat.cfg'), env: {}, cwd, defaultPath: NO_DEFAULT },
      plugins,
    );
    assert.deepEqual(warnings, []);
    assert.equal(config.public_url, 'http://lovebeat.example.com/');
    assert.equal(config.http.listen, ':8080');
    assert.equal(config.metrics.server, 'localhost:8125');
    assert.equal(config.metrics.prefix, 'lovebeat');
    assert.equal(config.eventlog.mode, 644);
    assert.equal(config.alarms.length, 3);
    assert.equal(config.alarms[1]!.pattern, 'application-name.$name.*');
    assert.deepEqual(config.alarms[2]!.excludes, ['source.deprecated.*']);
    assert.deepEqual(Object.keys(config.alerts).sort(), ['mail-alert', 'message-to-ops', 'test-alert', 'to-requestbin']);
    assert.equal(config.alerts['test-alert']!.script, '/path/to/script.sh');
    assert.equal(config.notify[0]!.lovebeat, 'http://some-other-host:8080');
    assert.equal(alerting.serverWideSettings('mail').mailgun_api_key, 'key-5ap419x2asxge9a6xaqq0ztagv-a4axj');
  });

  it('warns about an unknown key with its name and line, and still starts', () => {
    const { config, warnings } = load('[http]\nlisten = ":7000"\nlistn = ":7001"\n\n[nosuch]\nx = 1\n');
    assert.equal(config.http.listen, ':7000');
    assert.deepEqual(warnings, [
      'Unknown configuration key "http.listn" (line 3) ignored',
      'Unknown configuration key "nosuch" (line 5) ignored',
    ]);
  });

  it('refuses an invalid value naming the key, the value, the line and what is allowed', () => {
    const message = refusal('# comment\n[http]\nlisten = "localhost"\n');
    assert.match(message, /http\.listen = "localhost" \(line 3\): must be "\[host\]:port"/);
  });

  it('reports every invalid value at once, each with its own reason', () => {
    const message = refusal('[database]\ninterval = "often"\n[http]\npublic_status = "yes"\nmax_body_bytes = 10\n[eventlog]\nmode = 999\n');
    assert.match(message, /database\.interval = "often" \(line 2\): must be a whole number/);
    assert.match(message, /http\.public_status = "yes" \(line 4\): must be true or false/);
    assert.match(message, /http\.max_body_bytes = 10 \(line 5\): must be at least 1024/);
    assert.match(message, /eventlog\.mode = 999 \(line 7\): must be a file mode in octal digits/);
  });

  it('takes only a PostgreSQL URL for the database and an http(s) URL for the S3 endpoint', () => {
    const message = refusal('[database]\nurl = "mysql://pulse:pw@127.0.0.1/pulse"\nremote_s3_endpoint = "ftp://127.0.0.1:9000"\n');
    assert.match(message, /database\.url = .* \(line 2\): must be a postgres:\/\/user:password@host:port\/database URL, or "" for SQLite/);
    assert.match(
      message,
      /database\.remote_s3_endpoint = "ftp:\/\/127\.0\.0\.1:9000" \(line 3\): must be an http:\/\/ or https:\/\/ URL, or ""/,
    );
    assert.match(refusal('[database]\nurl = "not a url"\n'), /database\.url = .* \(line 2\): must be a postgres:\/\//);
    const { config } = load(
      '[database]\nurl = "postgresql://pulse:pw@127.0.0.1:5432/pulse"\nremote_s3_endpoint = "https://127.0.0.1:9000"\n',
    );
    assert.equal(config.database.url, 'postgresql://pulse:pw@127.0.0.1:5432/pulse');
    assert.equal(config.database.remote_s3_endpoint, 'https://127.0.0.1:9000');
  });

  it('checks alarms and alert channels entry by entry', () => {
    const message = refusal(
      '[[alarms]]\nname = "a"\npattern = "x.*"\n[[alarms]]\nname = "b"\n[alerts.ops]\nwebhook = "ftp://x"\nsnmp_version = "1"\n',
    );
    assert.match(message, /alarms\[1\]\.pattern = "" \(default\): an alarm needs a pattern, or includes = \[patterns\]/);
    assert.match(message, /alerts\.ops\.webhook = "ftp:\/\/x" \(line 7\): must be an http:\/\/ or https:\/\/ URL/);
    assert.match(message, /alerts\.ops\.snmp_version = "1" \(line 8\): must be "2c" or "3"/);
  });

  it('refuses alarm names whose $variables the pattern does not capture, and repeated alarm names', () => {
    const message = refusal(
      '[[alarms]]\nname = "server-$name"\npattern = "app.$host.*"\n[[alarms]]\nname = "dup"\npattern = "a.*"\n[[alarms]]\nname = "dup"\npattern = "b.*"\n',
    );
    assert.match(
      message,
      /alarms\[0\]\.pattern = "app\.\$host\.\*" \(line 3\): the name uses \$name but the pattern "app\.\$host\.\*" does not contain \$name/,
    );
    assert.match(message, /alarms\[2\]\.name = "dup" \(line 8\): another \[\[alarms\]\] has this name/);
  });

  it('reads the heartbeat keys, and hides the S3 secret', () => {
    const { config } = load(
      '[heartbeat]\nmax_services = 500\n[tcp]\nmax_connections = 20\n[[notify]]\nlovebeat = "http://peer:5000"\ninterval = 5\n',
    );
    assert.deepEqual(
      [config.heartbeat.max_services, config.tcp.max_connections, config.tcp.listen, config.notify[0]!.interval],
      [500, 20, ':8127', 5],
    );
    const message = refusal('[database]\nremote_s3_secret_access_key = 7\n');
    assert.match(message, /database\.remote_s3_secret_access_key = <hidden> \(line 2\): must be a string/);
  });

  it('limits statsd senders and TCP connections per source, with safe defaults', () => {
    const defaults = load(null).config;
    assert.deepEqual(defaults.statsd.trusted_sources, ['127.0.0.0/8', '::1']);
    assert.equal(defaults.tcp.max_connections_per_source, 100);
    assert.equal(defaults.tcp.idle_timeout, 60);
    const { config, warnings } = load(
      '[heartbeat]\nrequire_token = true\n[statsd]\ntrusted_sources = ["10.0.0.0/8", "2001:db8::/32"]\n[tcp]\nmax_connections_per_source = 5\n',
    );
    assert.deepEqual(config.statsd.trusted_sources, ['10.0.0.0/8', '2001:db8::/32']);
    assert.equal(config.tcp.max_connections_per_source, 5);
    assert.deepEqual(warnings, []);
    assert.match(
      refusal('[statsd]\ntrusted_sources = ["10.0.0.0/33"]\n'),
      /statsd\.trusted_sources = \["10\.0\.0\.0\/33"\] \(line 2\): must be a list of IP addresses or CIDR ranges/,
    );
    assert.match(refusal('[tcp]\nmax_connections_per_source = 0\n'), /tcp\.max_connections_per_source = 0 \(line 2\): must be at least 1/);
    assert.deepEqual(load('[statsd]\ntrusted_sources = ["10.0.0.1"]\n').warnings, [
      'statsd.trusted_sources (line 2) has no effect without [heartbeat] require_token = true: everyone may send statsd beats',
    ]);
  });

  it('reads how statsd is received: UDP worker threads (0 = the main thread) and the TCP worker', () => {
    const defaults = load(null).config;
    assert.deepEqual([defaults.udp.workers, defaults.tcp.worker], [4, true]);
    const { config, warnings } = load('[udp]\nworkers = 0\n[tcp]\nworker = false\n');
    assert.deepEqual([config.udp.workers, config.tcp.worker], [0, false]);
    assert.deepEqual(warnings, []);
    assert.match(refusal('[udp]\nworkers = 17\n'), /udp\.workers = 17 \(line 2\): must be at most 16/);
    assert.match(refusal('[udp]\nworkers = -1\n'), /udp\.workers = -1 \(line 2\): must be at least 0/);
    assert.match(refusal('[tcp]\nworker = "yes"\n'), /tcp\.worker = "yes" \(line 2\): must be true or false/);
  });

  it('never echoes a secret in an error', () => {
    const message = refusal('[database]\nurl = "mysql://root:hunter2@db/pulse"\n');
    assert.match(message, /database\.url = <hidden> \(line 2\): must be a postgres:\/\//);
    assert.doesNotMatch(message, /hunter2/);
  });

  it('points at the line and column of a TOML syntax error', () => {
    assert.match(refusal('[http]\nlisten = = ":5000"\n'), /line 2, column \d+: Invalid TOML document/);
  });

  it('refuses a --config file that does not exist', () => {
    assert.throws(
      () => loadServerConfig({ configPath: 'nope.toml', env: {}, cwd, defaultPath: NO_DEFAULT }),
      /--config nope\.toml: no such file/,
    );
  });

  it('lets PULSE_* variables override the file', () => {
    const { config } = load('[http]\nlisten = "127.0.0.1:7000"\npublic_status = true\n', {
      PULSE_PORT: '7100',
      PULSE_DATA_DIR: '/srv/pulse',
      PULSE_DATABASE_URL: 'postgres://pulse:secret@db.internal:5432/pulse',
      PULSE_HTTP_PUBLIC_STATUS: 'false',
      PULSE_HTTP_TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8',
      PULSE_HEARTBEAT_REQUIRE_TOKEN: 'yes',
    });
    assert.equal(config.http.listen, '127.0.0.1:7100');
    assert.equal(config.data_dir, '/srv/pulse');
    assert.equal(config.database.url, 'postgres://pulse:secret@db.internal:5432/pulse');
    assert.equal(config.http.public_status, false);
    assert.deepEqual(config.http.trusted_proxies, ['127.0.0.1', '10.0.0.0/8']);
    assert.equal(config.heartbeat.require_token, true);
  });

  it('takes the config path from PULSE_CONFIG', () => {
    const file = path.join(cwd, 'from-env.toml');
    writeFileSync(file, '[udp]\nlisten = ":9127"\n');
    const { config } = loadServerConfig({ env: { PULSE_CONFIG: file }, cwd, defaultPath: NO_DEFAULT });
    assert.equal(config.udp.listen, ':9127');
  });

  it('names the environment variable when its value is invalid', () => {
    assert.match(refusal(null, { PULSE_PORT: 'http' }), /PULSE_PORT="http" \(environment\): must be a port number/);
    assert.match(
      refusal(null, { PULSE_DATABASE_INTERVAL: 'soon' }),
      /database\.interval = "soon" \(environment PULSE_DATABASE_INTERVAL\): must be a whole number/,
    );
  });

  it('warns about PULSE_ variables it does not know', () => {
    const { warnings } = load(null, { PULSE_POTR: '5000', PULSE_TEST_SOMETHING: 'x' });
    assert.deepEqual(warnings, ['Unknown environment variable PULSE_POTR ignored']);
  });

  it('puts the native-addon cache in the data directory unless told otherwise', () => {
    assert.equal(load(null, { PULSE_DATA_DIR: '/var/lib/lillydoo-pulse' }).config.native_cache_dir, '/var/lib/lillydoo-pulse/native');
  });
});
