import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, UsageError } from './command-line.js';

describe('command line', () => {
  it('reads the common flags', () => {
    assert.deepEqual(parseCommandLine(['--config', '/etc/x.toml', '--debug', '--syslog'], 'server'), {
      configPath: '/etc/x.toml',
      debug: true,
      syslog: true,
      version: false,
      help: false,
      reset: false,
      command: [],
    });
  });

  it("accepts Lovebeat's -config and -debug, so its unit files keep working", () => {
    const parsed = parseCommandLine(['-config', '/etc/lovebeat.cfg', '-debug'], 'server');
    assert.equal(parsed.configPath, '/etc/lovebeat.cfg');
    assert.equal(parsed.debug, true);
    assert.equal(parseCommandLine(['-config=/etc/lovebeat.cfg'], 'server').configPath, '/etc/lovebeat.cfg');
    assert.throws(() => parseCommandLine(['-port', '80'], 'server'), UsageError);
  });

  it('knows admin-token --reset on the server only', () => {
    assert.deepEqual(parseCommandLine(['admin-token', '--reset'], 'server').command, ['admin-token']);
    assert.throws(() => parseCommandLine(['admin-token'], 'server'), /admin-token needs --reset/);
    assert.throws(() => parseCommandLine(['--reset'], 'server'), /--reset belongs to the admin-token command/);
    assert.throws(() => parseCommandLine(['admin-token', '--reset'], 'agent'), UsageError);
  });

  it('refuses unknown flags and stray words, pointing at --help', () => {
    assert.throws(() => parseCommandLine(['--port', '80'], 'server'), /Unknown option '--port'.*Run lillydoo-pulse --help/);
    assert.throws(() => parseCommandLine(['start'], 'poller'), /Unknown command "start"\. Run lillydoo-pulse-poller --help/);
  });

  it('lets --help and --version through whatever else is there', () => {
    assert.equal(parseCommandLine(['whatever', '--help'], 'agent').help, true);
    assert.equal(parseCommandLine(['--version'], 'poller').version, true);
  });
});
