import 'reflect-metadata';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { decodeForm, formValues } from '../../app/plugin-host/form-codec.js';
import { PluginHostModule } from '../../app/plugin-host/plugin-host.module.js';
import {
  findPluginFolders,
  loadPluginModules,
  loadPluginModulesOfKinds,
  type PluginModuleRef,
} from '../../app/plugin-host/plugin-loader.js';
import { PluginRegistry, type RegisteredPlugin } from '../../app/plugin-host/plugin-registry.js';
import { validatePluginConfig } from '../../app/plugin-host/plugin-config.js';
import { formProblems, isSecretField, readPath, type FormDescription } from '../../app/plugin-host/plugin-form.js';
import { keepMaskedSecrets, SECRET_MASK } from '../../app/plugin-host/plugin-secrets.js';
import { encodeForm } from '../../app/plugin-host/testing.js';
import { projectRoot } from '../../app/runtime/project-files.js';
import { ROLE_NAMES, ROLES } from '../../app/runtime/roles.js';
import { quietLogger } from '../support/databases.js';

/**
 * Every plugin folder, of every kind, loads and declares itself properly: adding a plugin means adding a
 * folder that passes this test, and touching nothing else.
 */
describe('plugin contract', () => {
  let context: INestApplicationContext;
  let refs: PluginModuleRef[];
  let plugins: RegisteredPlugin<unknown, any>[];

  before(async () => {
    refs = await loadPluginModulesOfKinds(['check', 'alerter', 'collector']);
    @Module({ imports: [PluginHostModule.forRoot(refs)] })
    class ContractModule {}
    Logger.overrideLogger(quietLogger);
    context = await NestFactory.createApplicationContext(ContractModule, { logger: quietLogger, abortOnError: false });
    const registry = context.get(PluginRegistry);
    plugins = [...registry.checks(), ...registry.alerters(), ...registry.collectors()];
  });
  after(() => context?.close());

  it('finds at least the shipped port check', () => {
    assert.ok(plugins.some((plugin) => plugin.kind === 'check' && plugin.id === 'port'));
  });

  it('registers one plugin per folder, id equal to the folder name', () => {
    const folders = findPluginFolders(['check', 'alerter', 'collector']).map((folder) => `${folder.kind}/${folder.id}`);
    assert.deepEqual(plugins.map((plugin) => `${plugin.kind}/${plugin.id}`).sort(), folders.sort());
  });

  it('ships the files a plugin folder must have', () => {
    for (const plugin of plugins) {
      const folder = path.join(projectRoot, plugin.folder);
      const suffix = { check: 'check', alerter: 'alerter', collector: 'collector' }[plugin.kind];
      for (const file of [
        'index.ts',
        `${plugin.id}.${suffix}.ts`,
        `${plugin.id}.config.ts`,
        `${plugin.id}.form.ts`,
        `${plugin.id}.${suffix}.spec.ts`,
        'README.md',
      ]) {
        assert.ok(existsSync(path.join(folder, file)), `${plugin.folder}/${file} is missing`);
      }
      const readme = readFileSync(path.join(folder, 'README.md'), 'utf8');
      assert.ok(readme.trim().length > 100, `${plugin.folder}/README.md says what the plugin does`);
    }
  });

  it('describes every option of its config in its form', () => {
    for (const plugin of plugins) {
      const form = plugin.meta.form as FormDescription;
      assert.deepEqual(formProblems(form, plugin.meta.config), [], plugin.folder);
      const covered = new Set(form.fields.map((field) => field.name.split('.')[0]));
      for (const key of Object.keys(new plugin.meta.config()))
        assert.ok(covered.has(key), `${plugin.folder}: option "${key}" has no form field`);
      const secretFields = form.fields.filter(isSecretField).map((field) => field.name);
      assert.deepEqual(
        secretFields.sort(),
        [...(plugin.meta.secrets ?? [])].sort(),
        `${plugin.folder}: the form masks exactly its secrets`,
      );
    }
  });

  it('gives back its example after a trip through the form (form values → submitted form → decode → validate)', () => {
    for (const plugin of plugins) {
      const expected = validated(plugin, plugin.meta.example);
      assert.deepEqual(throughForm(plugin, expected), expected, `${plugin.folder}: example`);
      assert.deepEqual(throughForm(plugin, plugin.meta.example), expected, `${plugin.folder}: example as stored`);
    }
  });

  it('can turn every checkbox off and on, and pick every choice, through the form', () => {
    let variations = 0;
    for (const plugin of plugins) {
      const example = validated(plugin, plugin.meta.example);
      const form = plugin.meta.form as FormDescription;
      for (const field of form.fields) {
        const current = readPath(example, field.name);
        const others =
          field.type === 'boolean'
            ? [!current]
            : field.type === 'select'
              ? (field.choices ?? []).map((choice) => choice.value).filter((value) => value !== '' && value !== current)
              : [];
        for (const value of others) {
          const changed = validatePluginConfig(plugin.meta.config, { ...example, [field.name]: value });
          if (!changed.ok) continue; // e.g. privacy without authentication: not a config the form must make
          variations++;
          assert.deepEqual(throughForm(plugin, { ...changed.value }), { ...changed.value }, `${plugin.folder}: ${field.name} = ${value}`);
        }
      }
    }
    assert.ok(variations > 20, `only ${variations} variations tried`);
  });

  it('never shows a secret in its form values', () => {
    for (const plugin of plugins) {
      const form = plugin.meta.form as FormDescription;
      const values = formValues(form, plugin.meta.example);
      for (const field of form.fields.filter(isSecretField)) {
        const secret = readPath(plugin.meta.example, field.name);
        if (typeof secret === 'string' && secret !== '') {
          assert.equal(values[field.name], SECRET_MASK, `${plugin.folder}: ${field.name} is masked`);
          assert.ok(!JSON.stringify(values).includes(secret), `${plugin.folder}: the value of ${field.name} is nowhere in the form`);
        }
        // A map of secrets (webhook headers): every value masked, the keys shown.
        if (typeof secret === 'object' && secret !== null) {
          for (const [key, value] of Object.entries(secret)) {
            assert.ok(!JSON.stringify(values).includes(String(value)), `${plugin.folder}: the value of ${field.name}.${key} is nowhere in the form`);
            assert.ok(JSON.stringify(values).includes(key), `${plugin.folder}: ${field.name} still names ${key}`);
          }
        }
      }
    }
  });

  it('accepts its example config and refuses an unknown option by name', () => {
    for (const plugin of plugins) {
      const example = validatePluginConfig(plugin.meta.config, plugin.meta.example);
      assert.ok(example.ok, `${plugin.folder}: example config is valid`);
      const typo = validatePluginConfig(plugin.meta.config, { ...plugin.meta.example, no_such_option_x: 1 });
      assert.ok(
        !typo.ok && typo.errors.some((error) => error.field === 'no_such_option_x' && error.message === 'unknown option'),
        plugin.folder,
      );
      const notObject = validatePluginConfig(plugin.meta.config, 'x');
      assert.ok(!notObject.ok, `${plugin.folder}: a non-object config is refused`);
    }
  });

  it('declares secrets that exist in its config', () => {
    for (const plugin of plugins) {
      const defaults = new plugin.meta.config() as Record<string, unknown>;
      for (const secret of plugin.meta.secrets ?? []) assert.ok(secret in defaults, `${plugin.folder}: secret "${secret}" is a config key`);
    }
  });

  it('says which executables load it, and each executable loads exactly those', async () => {
    for (const plugin of plugins) {
      assert.ok(plugin.roles.length > 0, `${plugin.folder}: loaded by at least one executable`);
      for (const role of plugin.roles)
        assert.ok(ROLES[role].pluginKinds.includes(plugin.kind), `${plugin.folder}: the ${role} loads ${plugin.kind} plugins`);
      const expected = { check: ['server', 'poller'], alerter: ['server'], collector: ['agent'] }[plugin.kind as 'check'];
      if (plugin.meta.roles === undefined) assert.deepEqual(plugin.roles, expected, `${plugin.folder}: the default roles of its kind`);
    }
    for (const role of ROLE_NAMES) {
      const loaded = (await loadPluginModules(role)).map((ref) => ref.folder).sort();
      const declared = plugins
        .filter((plugin) => plugin.roles.includes(role))
        .map((plugin) => plugin.folder)
        .sort();
      assert.deepEqual(loaded, declared, `the ${role} loads the plugins that name it`);
    }
    assert.ok(
      (await loadPluginModules('agent')).every((ref) => ref.kind === 'collector'),
      'the agent loads no check or alerter (nor their dependencies)',
    );
  });

  it('describes check targets and refuses an empty one', () => {
    for (const plugin of plugins.filter((item) => item.kind === 'check')) {
      const check = plugin.plugin as { validateTarget(target: string): string | null };
      assert.ok(plugin.meta.target.placeholder.length > 0);
      assert.equal(typeof check.validateTarget(''), 'string', `${plugin.folder}: "" is not a target`);
      assert.equal(check.validateTarget(plugin.meta.target.placeholder), null, `${plugin.folder}: its own placeholder is a valid target`);
    }
  });
});

function validated(plugin: RegisteredPlugin<unknown, any>, raw: unknown): Record<string, unknown> {
  const result = validatePluginConfig(plugin.meta.config, raw);
  assert.ok(result.ok, `${plugin.folder}: ${JSON.stringify(raw)} is a valid config`);
  return { ...(result.value as Record<string, unknown>) };
}

/**
 * `config` as an edit form shows it, submitted unchanged by a browser, decoded, with masked secrets kept
 * from what was stored (as the API does), validated.
 */
function throughForm(plugin: RegisteredPlugin<unknown, any>, config: Record<string, unknown>): Record<string, unknown> {
  const form = plugin.meta.form as FormDescription;
  const submitted = encodeForm(form, formValues(form, config), 'options.');
  const decoded = decodeForm(form, submitted, 'options.');
  return validated(plugin, keepMaskedSecrets(plugin.meta.secrets, decoded, config));
}
