import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigError } from '../../app/config/config.loader.js';
import { createHttpAdapter } from '../../app/http/http-server.js';
import { loadPluginModules, toPluginModuleRef, type PluginModuleRef } from '../../app/plugin-host/plugin-loader.js';
import { ServerModule } from '../../app/roles/server.module.js';
import { loadServerSettings } from '../../app/roles/server-settings.js';
import { TokenService } from '../../app/tokens/token.service.js';
import TeamsAlerterModule from '../fixtures/plugins/alerters/teams/index.js';
import { HttpReceiver } from '../peers/http-receiver.js';
import { quietLogger } from '../support/databases.js';

/**
 * An alerter no core file knows about, in a folder of its own (test/fixtures/plugins/alerters/teams,
 * loaded the way the loader loads a plugin folder): configured from the TOML file with the key and the
 * server-wide section it declares, and through the API, it delivers to a receiver on loopback.
 */
describe('a dropped-in alerter', () => {
  const teams = toPluginModuleRef('alerter', 'teams', TeamsAlerterModule, 'test/fixtures/plugins/alerters/teams');
  let builtIn: PluginModuleRef[];
  let receiver: HttpReceiver;
  let dir: string;
  let app: NestFastifyApplication;
  let base: string;
  let admin: string;

  const writeConfig = (name: string, lines: string[]) => {
    const file = path.join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return { configPath: file, env: {}, cwd: dir, defaultPath: path.join(dir, 'none.toml') };
  };
  const request = async (method: string, url: string, json?: unknown) => {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, ...(json === undefined ? {} : { 'content-type': 'application/json' }) },
      body: json === undefined ? undefined : JSON.stringify(json),
    });
    return { status: response.status, json: (await response.json()) as any };
  };

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'pulse-dropin-'));
    receiver = await HttpReceiver.start();
    builtIn = await loadPluginModules('server');
    const settings = loadServerSettings(
      writeConfig('server.toml', [
        `data_dir = "${dir}"`,
        '[http]',
        'listen = "127.0.0.1:0"',
        '[teams]',
        'mention = "@oncall"',
        '[alerts.ops]',
        `teams = "${receiver.url}/from-file"`,
      ]),
      [...builtIn, teams],
    );
    assert.deepEqual(settings.warnings, [], 'the fixture claims [teams] and its key of [alerts.ops]');
    app = await NestFactory.create<NestFastifyApplication>(
      ServerModule.register({ config: settings.config, logger: quietLogger, plugins: [...builtIn, teams], alerting: settings.alerting }),
      createHttpAdapter(settings.config),
      { logger: quietLogger, abortOnError: false },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    admin = (await app.get(TokenService).issue('drop-in test', 'admin')).secret;
  });
  after(async () => {
    await app?.close();
    await receiver?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is configured from the TOML file ([alerts.ops] teams = "…", [teams] mention) and delivers', async () => {
    const channel = await request('GET', '/api/alerts/ops');
    assert.deepEqual(channel.json, {
      name: 'ops',
      source: 'config',
      default: false,
      targets: [{ type: 'teams', settings: { webhook_url: '********' } }],
    });
    const sent = await request('POST', '/api/alerts/ops/test');
    assert.equal(sent.json.deliveries[0].status, 'sent', JSON.stringify(sent.json));
    const [received] = await receiver.waitForRequests(1);
    assert.equal(received!.path, '/from-file');
    assert.match(JSON.parse(received!.body).text, /^@oncall /, 'the server-wide [teams] mention applies');
  });

  it('is configured through the API under the same option names, and delivers', async () => {
    const created = await request('POST', '/api/alerts', {
      name: 'api-teams',
      type: 'teams',
      settings: { webhook_url: `${receiver.url}/from-api`, mention: '@team' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const refused = await request('POST', '/api/alerts', { name: 'bad', type: 'teams', settings: { webhook_url: 'ftp://x' } });
    assert.equal(refused.status, 400);
    assert.deepEqual(Object.keys(refused.json.fields), ['settings.webhook_url']);
    const sent = await request('POST', '/api/alerts/api-teams/test');
    assert.equal(sent.json.deliveries[0].status, 'sent', JSON.stringify(sent.json));
    const requests = await receiver.waitForRequests(2);
    const fromApi = requests.find((received) => received.path === '/from-api')!;
    assert.match(JSON.parse(fromApi.body).text, /^@team /, "the channel's own setting wins over [teams]");
  });

  it('refuses a bad value in the file naming the key, the value and the line, in its own words', () => {
    const inputs = writeConfig('bad.toml', ['[teams]', 'mention = "oncall"', '[alerts.ops]', 'teams = "ftp://x"']);
    assert.throws(
      () => loadServerSettings(inputs, [...builtIn, teams]),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.match(error.message, /teams\.mention = "oncall" \(line 2\): must be empty or one @mention/);
        assert.match(error.message, /alerts\.ops\.teams = <hidden> \(line 4\): must be the incoming-webhook URL Teams gave you/);
        return true;
      },
    );
  });

  it('is unknown to a server without the folder: a channel naming only its key is refused', () => {
    const inputs = writeConfig('without.toml', ['[teams]', 'mention = "@oncall"', '[alerts.ops]', 'teams = "http://127.0.0.1:9/x"']);
    assert.throws(
      () => loadServerSettings(inputs, builtIn),
      /alerts\.ops \(line 3\): names no way to send; give one of mail, script, slack_channel, snmp_trap, webhook/,
    );
  });
});
