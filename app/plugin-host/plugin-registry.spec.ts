import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Injectable, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { IsInt, Min } from 'class-validator';
import { PulseLogger, StderrSink } from '../logging/pulse-logger.js';
import type { CheckPlugin, CheckResult } from './contracts.js';
import { Alerter, Check } from './decorators.js';
import { PluginHostModule } from './plugin-host.module.js';
import { defineForm } from './plugin-form.js';
import type { PluginModuleRef } from './plugin-loader.js';
import { PluginRegistry, PluginRegistryError } from './plugin-registry.js';
import { defaultPluginRoles } from '../runtime/roles.js';

const quiet = new PulseLogger(new StderrSink(), 'error');

class CountConfig {
  @Min(1) @IsInt() count = 3;
}

abstract class BaseCheck implements CheckPlugin<CountConfig> {
  validateTarget(): string | null {
    return null;
  }
  async run(): Promise<CheckResult> {
    return { status: 'up', latencyMs: 1, message: 'ok' };
  }
}
const target = { label: 'Host', placeholder: 'host' };
const form = defineForm(CountConfig, [{ name: 'count', type: 'number', label: 'Count', step: 1 }]);

@Check({ id: 'good', title: 'Good', config: CountConfig, example: { count: 2 }, target, form })
@Injectable()
class GoodCheck extends BaseCheck {}
@Check({ id: 'good', title: 'Good again', config: CountConfig, example: {}, target, form })
@Injectable()
class DuplicateCheck extends BaseCheck {}
@Check({ id: 'Bad_ID', title: 'Bad', config: CountConfig, example: {}, target, form })
@Injectable()
class BadIdCheck extends BaseCheck {}
@Check({ id: 'broken', title: 'Broken example', config: CountConfig, example: { count: 0 }, target, form })
@Injectable()
class BadExampleCheck extends BaseCheck {}
@Check({ id: 'lazy', title: 'No run', config: CountConfig, example: {}, target, form })
@Injectable()
class NoRunCheck {}
@Check({ id: 'server-only', title: 'Server only', config: CountConfig, example: {}, target, form, roles: ['server'] })
@Injectable()
class ServerOnlyCheck extends BaseCheck {}
@Check({ id: 'on-agent', title: 'On the agent', config: CountConfig, example: {}, target, form, roles: ['agent', 'probe' as 'server'] })
@Injectable()
class AgentCheck extends BaseCheck {}
@Check({
  id: 'badform',
  title: 'Bad form',
  config: CountConfig,
  example: {},
  target,
  form: {
    fields: [
      { name: 'colour', type: 'text', label: 'Colour' },
      { name: 'count', type: 'slider' as 'number', label: '' },
    ],
  },
})
@Injectable()
class BadFormCheck extends BaseCheck {}
@Check({ id: 'unmasked', title: 'Unmasked secret', config: CountConfig, example: {}, target, secrets: ['count'], form })
@Injectable()
class UnmaskedSecretCheck extends BaseCheck {}
@Check({ id: 'noform', title: 'No form', config: CountConfig, example: {}, target } as never)
@Injectable()
class NoFormCheck extends BaseCheck {}
@Alerter({
  id: 'badfile',
  title: 'Bad file keys',
  config: CountConfig,
  example: {},
  form,
  file: { key: 'Count!', option: 'colour' as 'count', options: { default: 'count' }, sections: { pager: { size: 'pages' as 'count' } } },
})
@Injectable()
class BadFileAlerter {
  render() {
    return {};
  }
  async send() {}
}
@Alerter({ id: 'stray', title: 'Alerter among checks', config: CountConfig, example: {}, form })
@Injectable()
class StrayAlerter {
  render() {
    return {};
  }
  async send() {}
}

function folder(id: string, providers: Type<unknown>[], kind: PluginModuleRef['kind'] = 'check'): PluginModuleRef {
  @Module({ providers })
  class FolderModule {}
  return { kind, id, folder: `plugins/${kind}s/${id}`, module: FolderModule, roles: defaultPluginRoles(kind) };
}

async function boot(refs: PluginModuleRef[]) {
  @Module({ imports: [PluginHostModule.forRoot(refs)] })
  class HostModule {}
  return NestFactory.createApplicationContext(HostModule, { logger: quiet, abortOnError: false });
}

async function problemsOf(refs: PluginModuleRef[]): Promise<string[]> {
  try {
    const context = await boot(refs);
    await context.close();
  } catch (error) {
    assert.ok(error instanceof PluginRegistryError, `expected PluginRegistryError, got ${error}`);
    return error.problems;
  }
  assert.fail('the plugin set was accepted');
}

describe('plugin registry', () => {
  it('registers well-formed plugins and validates configs with their defaults', async () => {
    const context = await boot([folder('good', [GoodCheck])]);
    const registry = context.get(PluginRegistry);
    const good = registry.check('good')!;
    assert.equal(good.folder, 'plugins/checks/good');
    assert.ok(good.plugin instanceof GoodCheck);
    assert.deepEqual(registry.validateConfig(good, {}), { ok: true, value: Object.assign(new CountConfig(), { count: 3 }) });
    const refused = registry.validateConfig(good, { count: 0, colour: 'red' });
    assert.equal(refused.ok, false);
    assert.deepEqual(
      new Set(!refused.ok ? refused.errors.map((error) => `${error.field}: ${error.message}`) : []),
      new Set(['count: must not be less than 1', 'colour: unknown option']),
    );
    await context.close();
  });

  it('refuses to start on a duplicate id, naming both folders', async () => {
    const problems = await problemsOf([folder('good', [GoodCheck]), folder('good2', [DuplicateCheck])]);
    assert.ok(
      problems.some((problem) => problem.startsWith('plugins/checks/good2:') && problem.includes('check id "good" is declared twice')),
      problems.join('\n'),
    );
  });

  it('refuses malformed ids, folder mismatches, invalid examples, bad forms, missing methods and wrong folders', async () => {
    const problems = await problemsOf([
      folder('Bad_ID', [BadIdCheck]),
      folder('broken', [BadExampleCheck]),
      folder('lazy', [NoRunCheck]),
      folder('mismatch', [GoodCheck]),
      folder('stray', [StrayAlerter]),
      folder('empty', []),
      folder('badform', [BadFormCheck]),
      folder('noform', [NoFormCheck]),
      folder('unmasked', [UnmaskedSecretCheck]),
    ]);
    const text = problems.join('\n');
    assert.match(text, /plugins\/checks\/Bad_ID: id "Bad_ID" must be lowercase letters/);
    assert.match(text, /plugins\/checks\/broken: its example config is invalid: count must not be less than 1/);
    assert.match(text, /plugins\/checks\/lazy: must implement run\(\)/);
    assert.match(text, /plugins\/checks\/mismatch: id "good" must match its folder name "mismatch"/);
    assert.match(text, /plugins\/checks\/stray: is a @Alerter\(\) but lives in the folder for check plugins/);
    assert.match(text, /plugins\/checks\/empty: its module provides no @Check\(\) class/);
    assert.match(text, /plugins\/checks\/badform: form field "colour": is not an option of the config class/);
    assert.match(text, /plugins\/checks\/badform: form field "count": type must be one of text, textarea/);
    assert.match(text, /plugins\/checks\/badform: form field "count": needs a label/);
    assert.match(text, /plugins\/checks\/noform: needs a form description/);
    assert.match(text, /plugins\/checks\/unmasked: secret "count" needs a secret form field/);
  });

  it("refuses an alerter's config-file keys that cannot be written or name no option", async () => {
    const text = (await problemsOf([folder('badfile', [BadFileAlerter], 'alerter')])).join('\n');
    assert.match(text, /plugins\/alerters\/badfile: file\.key "Count!" must be lowercase letters, digits and "_"/);
    assert.match(text, /plugins\/alerters\/badfile: file\.key "Count!" names "colour", which is no option of its config class/);
    assert.match(text, /plugins\/alerters\/badfile: file\.options key "default" is taken by \[alerts\.NAME\] itself/);
    assert.match(text, /plugins\/alerters\/badfile: file\.sections\.pager "size" names "pages", which is no option/);
  });

  it('knows which executables load each plugin: the default of its kind, or what its meta narrows it to', async () => {
    const context = await boot([folder('good', [GoodCheck]), folder('server-only', [ServerOnlyCheck])]);
    const registry = context.get(PluginRegistry);
    assert.deepEqual(registry.check('good')!.roles, ['server', 'poller']);
    assert.deepEqual(registry.check('server-only')!.roles, ['server']);
    await context.close();
  });

  it('refuses roles that do not load the kind, or are no executable at all', async () => {
    const text = (await problemsOf([folder('on-agent', [AgentCheck])])).join('\n');
    assert.match(text, /plugins\/checks\/on-agent: roles: the agent does not load check plugins \(only server, poller do\)/);
    assert.match(text, /plugins\/checks\/on-agent: roles: "probe" is not an executable/);
  });
});
