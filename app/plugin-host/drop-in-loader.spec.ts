import 'reflect-metadata';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { NestFactory } from '@nestjs/core';
import { PulseLogger, StderrSink } from '../logging/pulse-logger.js';
import { EXIT_CONFIG } from '../runtime/startup-error.js';
import { Check, PLUGIN_SDK_VERSION, PLUGIN_SETTINGS } from './index.js';
import { createPluginContext } from './plugin-context.js';
import { PluginHostModule, pluginSettingsOf } from './plugin-host.module.js';
import { DropInLoadError, loadPluginModules, loadPluginModulesOfKinds, type PluginModuleRef } from './plugin-loader.js';
import { PluginRegistry, PluginRegistryError } from './plugin-registry.js';
import { provideSdkToDropIns } from './sdk-provision.js';

const quiet = new PulseLogger(new StderrSink(), 'error');
const quietPluginLogger = { debug() {}, info() {}, warn() {} };
const SDK_RANGE = `^${PLUGIN_SDK_VERSION}`;

/** package.json of a drop-in: ES module unless `commonjs`, built against this SDK unless told otherwise. */
function manifest(options: { commonjs?: boolean; sdk?: string | null; main?: string; version?: string } = {}): string {
  return JSON.stringify({
    name: 'fixture',
    version: options.version ?? '2.1.0',
    ...(options.commonjs ? {} : { type: 'module' }),
    ...(options.main ? { main: options.main } : {}),
    ...(options.sdk === null ? {} : { peerDependencies: { '@lillydoo-pulse/plugin-sdk': options.sdk ?? SDK_RANGE } }),
  });
}

/** A working check in plain JavaScript (what tsc emits, written by hand): decorators called as functions. */
function checkSource(id: string, options: { title?: string; roles?: string[]; settings?: boolean } = {}): string {
  return `import { Check, Inject, IsString, Optional, PLUGIN_SETTINGS, PluginModule, defineForm } from '@lillydoo-pulse/plugin-sdk';
import sdk from '@lillydoo-pulse/plugin-sdk';
import { greeting } from './greeting.js';
export class EchoConfig { constructor() { this.say = 'hello'; } }
IsString()(EchoConfig.prototype, 'say');
const form = defineForm(EchoConfig, [{ name: 'say', type: 'text', label: 'Say' }]);
export class EchoCheck {
  constructor(settings) { this.settings = settings; }
  validateTarget(target) { return target ? null : 'needs a target'; }
  async run(target, config) { return { status: 'up', latencyMs: 1, message: greeting(config.say, target) }; }
}
${options.settings ? 'Inject(PLUGIN_SETTINGS)(EchoCheck, undefined, 0); Optional()(EchoCheck, undefined, 0);' : ''}
Check({ id: ${JSON.stringify(id)}, title: ${JSON.stringify(options.title ?? 'Echo')}, config: EchoConfig, example: { say: 'hi' },
  target: { label: 'Anything', placeholder: 'x' }, form${options.roles ? `, roles: ${JSON.stringify(options.roles)}` : ''} })(EchoCheck);
export class EchoModule {}
PluginModule({ providers: [EchoCheck] })(EchoModule);
export default EchoModule;
globalThis[Symbol.for('drop-in-spec.seen.' + ${JSON.stringify(id)})] = { Check, sdk };
`;
}

/** The same check as CommonJS, the way tsc compiles for "module": "commonjs". */
const COMMONJS_ALERTER = `"use strict";
Object.defineProperty(exports, "__esModule", { value: true });
const sdk_1 = require("@lillydoo-pulse/plugin-sdk");
class LogConfig { constructor() { this.prefix = ''; } }
(0, sdk_1.IsString)()(LogConfig.prototype, 'prefix');
const form = (0, sdk_1.defineForm)(LogConfig, [{ name: 'prefix', type: 'text', label: 'Prefix' }]);
class LogAlerter {
  render(event, config) { return config.prefix + (0, sdk_1.alertHeadline)(event); }
  async send() {}
}
(0, sdk_1.Alerter)({ id: 'log-line', title: 'Log line', config: LogConfig, example: { prefix: '> ' }, form })(LogAlerter);
class LogModule {}
(0, sdk_1.PluginModule)({ providers: [LogAlerter] })(LogModule);
exports.default = LogModule;
exports.sdkSeen = sdk_1;
`;

describe('drop-in plugins', () => {
  let root: string;
  let count = 0;
  let builtIns: PluginModuleRef[];
  /** A fresh [plugins] dir. */
  const pluginsDir = () => {
    const dir = path.join(root, `plugins-${++count}`);
    mkdirSync(dir);
    return dir;
  };
  /** Writes `files` into <dir>/<kindFolder>/<id>/ and returns that folder. */
  const dropIn = (dir: string, kindFolder: string, id: string, files: Record<string, string>) => {
    const folder = path.join(dir, kindFolder, id);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
      writeFileSync(path.join(folder, name), text);
    }
    return folder;
  };
  const goodCheck = (dir: string, id: string, options: Parameters<typeof checkSource>[1] = {}) =>
    dropIn(dir, 'checks', id, {
      'package.json': manifest(),
      'index.js': checkSource(id, options),
      'greeting.js': 'export const greeting = (say, target) => `${say} ${target}`;\n',
    });
  /** What loading refuses, as one message (every problem in it). */
  const refusal = async (dir: string, role: 'server' | 'poller' | 'agent' = 'server') => {
    const error = await loadPluginModules(role, { dropInDir: dir }).then(
      () => assert.fail('the drop-ins were accepted'),
      (failure: Error) => failure,
    );
    assert.ok(error instanceof DropInLoadError, String(error));
    assert.equal(error.exitCode, EXIT_CONFIG);
    return error.message;
  };
  /** Loads the role's plugins with `dir` and starts its plugin host; the registry, or why it refused. */
  const host = async (dir: string, role: 'server' | 'poller' | 'agent' = 'server') => {
    const plugins = await loadPluginModules(role, { dropInDir: dir });
    const context = await NestFactory.createApplicationContext(
      PluginHostModule.forRoot(plugins, pluginSettingsOf({ dir, nagios_dirs: ['/opt/nagios'] })),
      { logger: quiet, abortOnError: false },
    );
    return { registry: context.get(PluginRegistry), close: () => context.close(), plugins };
  };

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'pulse-drop-ins-'));
    builtIns = await loadPluginModulesOfKinds(['check', 'alerter', 'collector']);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('loads nothing from a directory that does not exist', async () => {
    const refs = await loadPluginModules('server', { dropInDir: path.join(root, 'nowhere') });
    assert.deepEqual(
      refs.map((ref) => ref.folder),
      builtIns.filter((ref) => ref.roles.includes('server')).map((ref) => ref.folder),
    );
  });

  it('hosts an ES module and a CommonJS drop-in beside the built-ins, with the host’s own SDK', async () => {
    const dir = pluginsDir();
    const echo = goodCheck(dir, 'echo', { settings: true });
    const logLine = dropIn(dir, 'alerters', 'log-line', {
      'package.json': manifest({ commonjs: true, main: 'lib/main.js' }),
      'lib/main.js': COMMONJS_ALERTER,
    });
    const { registry, close } = await host(dir);
    try {
      const check = registry.check('echo');
      assert.ok(check, 'the registry found the drop-in check');
      assert.equal(check.folder, echo);
      assert.deepEqual(check.dropIn, { version: '2.1.0', sdkRange: SDK_RANGE });
      assert.deepEqual(check.roles, ['server', 'poller']);
      const result = await check.plugin.run('world', { say: 'hi' }, createPluginContext({ timeoutMs: 1000, logger: quietPluginLogger }));
      assert.equal(result.message, 'hi world', 'its own files import each other');
      assert.deepEqual(
        (check.plugin as unknown as { settings: unknown }).settings,
        { dir, nagios_dirs: ['/opt/nagios'] },
        'PLUGIN_SETTINGS injected',
      );
      const alerter = registry.alerter('log-line');
      assert.equal(alerter?.folder, logLine);
      assert.equal(
        (alerter!.plugin as { render(e: object, c: object): string }).render(
          { kind: 'test', name: 'x', recovered: false },
          { prefix: '> ' },
        ),
        '> Test message for x',
      );
      assert.ok(registry.check('http'), 'the built-ins are still there');
      assert.match(registry.summary(), /checks: dns, echo \(drop-in 2\.1\.0\), http, .*; alerters: log-line \(drop-in 2\.1\.0\), mail, /);

      // The very objects of this process's SDK: what the drop-ins imported is the module the registry uses.
      const seen = (globalThis as Record<symbol, { Check: unknown; sdk: { Check: unknown } }>)[Symbol.for('drop-in-spec.seen.echo')]!;
      assert.equal(seen.Check, Check);
      assert.equal(seen.sdk.Check, Check, 'the default import is the SDK object too');
      const cjs = createRequire(import.meta.url)(path.join(logLine, 'lib', 'main.js')) as {
        sdkSeen: { Check: unknown; PLUGIN_SETTINGS: unknown };
      };
      assert.equal(cjs.sdkSeen.Check, Check);
      assert.equal(cjs.sdkSeen.PLUGIN_SETTINGS, PLUGIN_SETTINGS);
    } finally {
      await close();
    }
  });

  it('gives each executable the kinds it runs, as the roles table and the plugin’s roles say', async () => {
    const dir = pluginsDir();
    goodCheck(dir, 'echo');
    goodCheck(dir, 'server-echo', { roles: ['server'] });
    dropIn(dir, 'alerters', 'log-line', { 'package.json': manifest({ commonjs: true }), 'index.js': COMMONJS_ALERTER });
    // An agent never reads the checks' folder: this broken check does not stop it.
    dropIn(dir, 'checks', 'broken', { 'package.json': manifest(), 'index.js': 'export default = ;\n' });
    const agent = await loadPluginModules('agent', { dropInDir: dir });
    assert.deepEqual(
      agent.filter((ref) => ref.dropIn),
      [],
    );
    rmSync(path.join(dir, 'checks', 'broken'), { recursive: true });
    const poller = await loadPluginModules('poller', { dropInDir: dir });
    assert.deepEqual(
      poller.filter((ref) => ref.dropIn).map((ref) => `${ref.kind}/${ref.id}`),
      ['check/echo'],
      'the poller loads the checks that run on pollers, no alerter',
    );
    const server = await loadPluginModules('server', { dropInDir: dir });
    assert.deepEqual(
      server.filter((ref) => ref.dropIn).map((ref) => `${ref.kind}/${ref.id}`),
      ['alerter/log-line', 'check/echo', 'check/server-echo'],
    );
  });

  it('follows a symlinked plugin folder and skips hidden entries and loose files', async () => {
    const dir = pluginsDir();
    const unpacked = goodCheck(path.join(root, `unpacked-${count}`), 'echo');
    mkdirSync(path.join(dir, 'checks'), { recursive: true });
    symlinkSync(unpacked, path.join(dir, 'checks', 'echo'));
    mkdirSync(path.join(dir, 'checks', '.cache'));
    writeFileSync(path.join(dir, 'checks', 'echo-1.0.0.tgz'), 'not a folder');
    writeFileSync(path.join(dir, 'README.txt'), 'installed by hand');
    const refs = await loadPluginModules('poller', { dropInDir: dir });
    assert.deepEqual(
      refs.filter((ref) => ref.dropIn).map((ref) => ref.folder),
      [path.join(dir, 'checks', 'echo')],
    );
  });

  it('refuses a syntax error, naming the folder, the file and (for CommonJS) the line', async () => {
    const dir = pluginsDir();
    const esm = dropIn(dir, 'checks', 'esm-typo', {
      'package.json': manifest(),
      'index.js': "import './more.js';\nexport default 1;\n",
      'more.js': 'const a = ;\n',
    });
    const cjs = dropIn(dir, 'checks', 'cjs-typo', {
      'package.json': manifest({ commonjs: true }),
      'index.js': 'exports.a = 1;\n\nexports.b = ;\n',
    });
    const message = await refusal(dir);
    assert.equal(
      message,
      [
        `Drop-in plugins refused ([plugins] dir ${dir}):`,
        `  ${cjs}: syntax error in index.js line 3: Unexpected token ';'`,
        `  ${esm}: syntax error in index.js or a file it imports: Unexpected token ';' (node --check <file> shows the line)`,
      ].join('\n'),
    );
  });

  it('refuses a plugin that throws while loading, or imports what is not there', async () => {
    const dir = pluginsDir();
    const throwing = dropIn(dir, 'checks', 'throws', {
      'package.json': manifest(),
      'index.js': "import '@lillydoo-pulse/plugin-sdk';\nconst config = JSON.parse('{');\nexport default config;\n",
    });
    const importing = dropIn(dir, 'checks', 'imports', {
      'package.json': manifest(),
      'index.js': "import _ from 'lodash';\nexport default _;\n",
    });
    const requiring = dropIn(dir, 'checks', 'requires', {
      'package.json': manifest({ commonjs: true }),
      'index.js': "require('./gone.js');\n",
    });
    const message = await refusal(dir);
    assert.match(message, new RegExp(`  ${throwing}: index\\.js threw while loading at index\\.js line 2: SyntaxError: .*JSON`));
    assert.ok(
      message.includes(
        `  ${importing}: index.js imports "lodash", which is not there: a drop-in imports only @lillydoo-pulse/plugin-sdk, node: built-ins and its own files (bundle anything else into it)`,
      ),
      message,
    );
    assert.ok(message.includes(`  ${requiring}: index.js imports "./gone.js", which is not there`), message);
    assert.doesNotMatch(message, /\n\s+at /, 'no stack trace');
  });

  it('refuses a folder whose entry does not default-export a plugin module', async () => {
    const dir = pluginsDir();
    const named = dropIn(dir, 'checks', 'named', { 'package.json': manifest(), 'index.js': 'export class EchoModule {}\n' });
    const plain = dropIn(dir, 'collectors', 'plain', {
      'package.json': manifest({ commonjs: true }),
      'index.js': 'module.exports = { collect() {} };\n',
    });
    assert.ok(
      (await refusal(dir)).includes(
        `  ${named}: index.js must default-export the plugin's module: @PluginModule({ providers: [YourPlugin] }) export default class YourPluginModule {}`,
      ),
    );
    assert.match(await refusal(dir, 'agent'), new RegExp(`^  ${plain}: index\\.js must default-export the plugin's module`, 'm'));
  });

  it('refuses the id of a built-in plugin of the same kind', async () => {
    const dir = pluginsDir();
    const http = goodCheck(dir, 'http');
    assert.equal(
      await refusal(dir),
      `Drop-in plugins refused ([plugins] dir ${dir}):\n  ${http}: a built-in check is called "http" (plugins/checks/http); give the drop-in another id`,
    );
  });

  it('refuses a plugin built against another SDK major, a newer SDK, or none named', async () => {
    const dir = pluginsDir();
    const major = PLUGIN_SDK_VERSION.split('.')[0];
    const folders = {
      older: dropIn(dir, 'checks', 'older', { 'package.json': manifest({ sdk: '^0.9.0' }), 'index.js': checkSource('older') }),
      newer: dropIn(dir, 'checks', 'newer', {
        'package.json': manifest({ sdk: `^${Number(major) + 1}.0.0` }),
        'index.js': checkSource('newer'),
      }),
      minor: dropIn(dir, 'checks', 'minor', { 'package.json': manifest({ sdk: `^${major}.999.0` }), 'index.js': checkSource('minor') }),
      wide: dropIn(dir, 'checks', 'wide', { 'package.json': manifest({ sdk: '>=0.1.0' }), 'index.js': checkSource('wide') }),
      none: dropIn(dir, 'checks', 'none', { 'package.json': manifest({ sdk: null }), 'index.js': checkSource('none') }),
      nonsense: dropIn(dir, 'checks', 'nonsense', {
        'package.json': manifest({ sdk: 'latest please' }),
        'index.js': checkSource('nonsense'),
      }),
      nojson: dropIn(dir, 'checks', 'nojson', { 'package.json': '{ "name": ', 'index.js': checkSource('nojson') }),
      nomanifest: dropIn(dir, 'checks', 'nomanifest', { 'index.js': checkSource('nomanifest') }),
      noentry: dropIn(dir, 'checks', 'noentry', { 'package.json': manifest({ main: 'dist/index.js' }) }),
      escapes: dropIn(dir, 'checks', 'escapes', { 'package.json': manifest({ main: '../older/index.js' }) }),
    };
    const message = await refusal(dir);
    const expected = [
      `${folders.older}: built for plugin SDK ^0.9.0, this Pulse provides SDK ${PLUGIN_SDK_VERSION}: rebuild it against @lillydoo-pulse/plugin-sdk ^${major}.0.0`,
      `${folders.newer}: built for plugin SDK ^${Number(major) + 1}.0.0, this Pulse provides SDK ${PLUGIN_SDK_VERSION}: it needs a newer Pulse`,
      `${folders.minor}: built for plugin SDK ^${major}.999.0, this Pulse provides SDK ${PLUGIN_SDK_VERSION}: it needs a newer Pulse`,
      `${folders.wide}: built for plugin SDK >=0.1.0, this Pulse provides SDK ${PLUGIN_SDK_VERSION}: rebuild it against @lillydoo-pulse/plugin-sdk ^${major}.0.0`,
      `${folders.none}: package.json names no plugin SDK version: add "peerDependencies": { "@lillydoo-pulse/plugin-sdk": "^${major}.0.0" } (the SDK it was built against)`,
      `${folders.nonsense}: package.json: peerDependencies["@lillydoo-pulse/plugin-sdk"] = "latest please" is not a version range`,
      `${folders.nomanifest}: has no package.json (a drop-in folder holds its package.json and its compiled JavaScript)`,
      `${folders.noentry}: dist/index.js (package.json main) does not exist: build the plugin and copy its output`,
      `${folders.escapes}: package.json: main "../older/index.js" points out of its folder`,
    ];
    for (const line of expected) assert.ok(message.includes(`\n  ${line}`), `${line}\nin\n${message}`);
    assert.match(message, new RegExp(`\\n  ${folders.nojson}: package\\.json is not valid JSON \\(`));
    assert.equal(message.split('\n').length, 1 + Object.keys(folders).length, 'one line per refused folder');
  });

  it('refuses a folder that is not a kind folder, and a [plugins] dir that is a file', async () => {
    const dir = pluginsDir();
    goodCheck(path.join(dir, 'misplaced'), 'echo');
    const message = await refusal(dir, 'agent');
    assert.equal(
      message,
      `Drop-in plugins refused ([plugins] dir ${dir}):\n  ${path.join(dir, 'misplaced')}: not a kind folder; a drop-in plugin goes into checks/<id>/, alerters/<id>/, collectors/<id>/`,
    );
    const file = path.join(dir, 'plugins.tar');
    writeFileSync(file, '');
    assert.match(await refusal(file), /plugins\.tar: not a directory$/);
  });

  it('refuses bad meta at start through the registry, naming the folder (exit code 78)', async () => {
    const dir = pluginsDir();
    const untitled = goodCheck(dir, 'untitled', { title: '' });
    const misnamed = goodCheck(dir, 'misnamed');
    writeFileSync(path.join(misnamed, 'index.js'), checkSource('other-name'));
    const error = await host(dir).then(
      async (started) => {
        await started.close();
        assert.fail('bad meta was accepted');
      },
      (failure: Error) => failure,
    );
    assert.ok(error instanceof PluginRegistryError, String(error));
    assert.equal(error.exitCode, EXIT_CONFIG);
    assert.deepEqual(error.problems, [`${misnamed}: id "other-name" must match its folder name "misnamed"`, `${untitled}: needs a title`]);
  });

  it('refuses a drop-in whose classes carry decorators of a copy of the SDK', async () => {
    const dir = pluginsDir();
    const copy = dropIn(dir, 'checks', 'bundled', {
      'package.json': manifest(),
      'index.js':
        "import { PluginModule } from '@lillydoo-pulse/plugin-sdk';\nclass Lone {}\nclass M {}\nPluginModule({ providers: [Lone] })(M);\nexport default M;\n",
    });
    const error = await host(dir).then(
      () => assert.fail('accepted'),
      (failure: Error) => failure,
    );
    assert.ok(error instanceof PluginRegistryError);
    assert.deepEqual(error.problems, [
      `${copy}: its module provides no @Check() class from @lillydoo-pulse/plugin-sdk (import the SDK by that name; never bundle a copy of it)`,
    ]);
  });

  it('resolves the SDK name for require and import alike, once provided', async () => {
    provideSdkToDropIns();
    provideSdkToDropIns(); // idempotent: the hooks are installed once
    const required = createRequire(import.meta.url)('@lillydoo-pulse/plugin-sdk') as { Check: unknown };
    assert.equal(required.Check, Check);
    // @ts-expect-error: no such package for the compiler; at run time the host provides it
    const imported = (await import('@lillydoo-pulse/plugin-sdk')) as { Check: unknown; default: { Check: unknown } };
    assert.equal(imported.Check, Check);
    assert.equal(imported.default.Check, Check);
  });
});
