import 'reflect-metadata';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
import { loadDropInPlugins } from '../../app/plugin-host/drop-in-loader.js';
import { PLUGIN_SDK_VERSION } from '../../app/plugin-host/sdk-version.js';
import { projectRoot } from '../../app/runtime/project-files.js';
import { examplePlugins } from '../../scripts/build-examples.js';
import { buildExamplePlugins } from '../support/example-plugins.js';
import { importSpecifiers } from '../support/import-specifiers.js';
import { ROLE_NAMES, ROLES } from '../../app/runtime/roles.js';
import { quietLogger } from '../support/databases.js';

const ALL_KINDS = ['check', 'alerter', 'collector'] as const;
const SUFFIX = { check: 'check', alerter: 'alerter', collector: 'collector' } as const;

/**
 * Every plugin folder, of every kind, loads and declares itself properly: adding a plugin means adding a
 * folder that passes this test, and touching nothing else. The example drop-ins of examples/plugins, built
 * against the SDK's published types and loaded as drop-ins, are held to the same contract.
 */
describe('plugin contract', () => {
  let context: INestApplicationContext;
  let refs: PluginModuleRef[];
  let plugins: RegisteredPlugin<unknown, any>[];
  let builtIns: RegisteredPlugin<unknown, any>[];
  let examples: ReturnType<typeof buildExamplePlugins>;

  before(async () => {
    examples = buildExamplePlugins();
    const shipped = await loadPluginModulesOfKinds(ALL_KINDS);
    refs = [...shipped, ...(await loadDropInPlugins(examples.pluginsDir, ALL_KINDS, shipped))];
    @Module({ imports: [PluginHostModule.forRoot(refs)] })
    class ContractModule {}
    Logger.overrideLogger(quietLogger);
    context = await NestFactory.createApplicationContext(ContractModule, { logger: quietLogger, abortOnError: false });
    const registry = context.get(PluginRegistry);
    plugins = [...registry.checks(), ...registry.alerters(), ...registry.collectors()];
    builtIns = plugins.filter((plugin) => !plugin.dropIn);
  });
  after(async () => {
    await context?.close();
    examples?.remove();
  });

  it('finds at least the shipped port check', () => {
    assert.ok(plugins.some((plugin) => plugin.kind === 'check' && plugin.id === 'port'));
  });

  it('registers one plugin per folder, id equal to the folder name', () => {
    const folders = findPluginFolders(ALL_KINDS).map((folder) => `${folder.kind}/${folder.id}`);
    assert.deepEqual(builtIns.map((plugin) => `${plugin.kind}/${plugin.id}`).sort(), folders.sort());
    assert.deepEqual(
      plugins.filter((plugin) => plugin.dropIn).map((plugin) => `${plugin.kind}/${plugin.id}`).sort(),
      examplePlugins().map((example) => `${example.kindFolder.replace(/s$/, '')}/${example.id}`).sort(),
      'one drop-in per example folder',
    );
  });

  it('ships the files an example drop-in must have, and builds against the SDK types alone', () => {
    for (const example of examplePlugins()) {
      const where = path.relative(projectRoot, example.source);
      const suffix = SUFFIX[example.kindFolder.replace(/s$/, '') as keyof typeof SUFFIX];
      for (const file of ['package.json', 'tsconfig.json', 'README.md', 'src/index.ts', `src/${example.id}.${suffix}.ts`, `src/${example.id}.config.ts`, `src/${example.id}.form.ts`])
        assert.ok(existsSync(path.join(example.source, file)), `${where}/${file} is missing`);
      const pkg = JSON.parse(readFileSync(path.join(example.source, 'package.json'), 'utf8')) as Record<string, any>;
      assert.equal(pkg.scripts?.build, 'tsc -p .', `${where}: npm run build compiles it`);
      assert.equal(pkg.peerDependencies?.['@lillydoo-pulse/plugin-sdk'], `^${PLUGIN_SDK_VERSION}`, `${where}: names the SDK it is built against`);
      assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], `${where}: no run-time dependencies (the SDK is provided)`);
      const imports = readdirSync(path.join(example.source, 'src')).flatMap((file) =>
        importSpecifiers(readFileSync(path.join(example.source, 'src', file), 'utf8')).map((found) => found.specifier),
      );
      for (const specifier of imports)
        assert.ok(
          specifier === '@lillydoo-pulse/plugin-sdk' || specifier?.startsWith('node:') || specifier?.startsWith('./'),
          `${where} imports ${specifier}: only the SDK, node: built-ins and its own files`,
        );
      assert.ok(readFileSync(path.join(example.source, 'README.md'), 'utf8').trim().length > 300, `${where}/README.md says what it does`);
    }
  });

  it('ships the files a plugin folder must have', () => {
    for (const plugin of builtIns) {
      const folder = path.join(projectRoot, plugin.folder);
      const suffix = SUFFIX[plugin.kind];
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

  it("keeps commas and spaces in the items of a list field with separator 'lines' through the form", () => {
    let variations = 0;
    for (const plugin of plugins) {
      const example = validated(plugin, plugin.meta.example);
      const form = plugin.meta.form as FormDescription;
      for (const field of form.fields.filter((candidate) => candidate.type === 'list' && candidate.separator === 'lines')) {
        const current = readPath(example, field.name);
        const items = [...(Array.isArray(current) ? current : []), '100,20%', ' two words '];
        const changed = validatePluginConfig(plugin.meta.config, { ...example, [field.name]: items });
        if (!changed.ok) continue; // items this field does not take (a TXT text where addresses are expected)
        variations++;
        assert.deepEqual(throughForm(plugin, { ...changed.value }), { ...changed.value }, `${plugin.folder}: ${field.name}`);
      }
    }
    assert.ok(variations > 0, 'no list field kept its items as typed');
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
      const loaded = (await loadPluginModules(role, { dropInDir: examples.pluginsDir })).map((ref) => ref.folder).sort();
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
