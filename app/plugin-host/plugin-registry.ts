import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import type { InstanceWrapper } from '@nestjs/core/injector/instance-wrapper.js';
import type {
  AlerterMeta,
  AlerterPlugin,
  CheckMeta,
  CheckPlugin,
  CollectorMeta,
  CollectorPlugin,
  PluginKind,
  PluginMeta,
} from './contracts.js';
import { alerterFileProblems } from './alerter-file-keys.js';
import { Alerter, Check, Collector } from './decorators.js';
import { validatePluginConfig, type ConfigValidation } from './plugin-config.js';
import { formProblems, isSecretField } from './plugin-form.js';
import { PLUGIN_SDK_PACKAGE } from './sdk-version.js';
import type { PluginModuleRef } from './plugin-loader.js';
import { defaultPluginRoles, ROLE_NAMES, ROLES, type Role } from '../runtime/roles.js';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';

export const PLUGIN_MODULES = Symbol('PLUGIN_MODULES');

export interface RegisteredPlugin<P, M extends PluginMeta<any>> {
  kind: PluginKind;
  id: string;
  meta: M;
  plugin: P;
  /** Relative to the project root: where the form partial and README live. */
  folder: string;
  /** The executables that load it (its meta's `roles`, or its kind's default). */
  roles: readonly Role[];
  /** Set for a drop-in plugin from `[plugins] dir`: its package version and the SDK range it was built against. */
  dropIn?: { version: string; sdkRange: string };
}

export type RegisteredCheck = RegisteredPlugin<CheckPlugin<any>, CheckMeta<any>>;
export type RegisteredAlerter = RegisteredPlugin<AlerterPlugin<any, any>, AlerterMeta<any>>;
export type RegisteredCollector = RegisteredPlugin<CollectorPlugin<any>, CollectorMeta<any>>;

/** A plugin set Pulse refuses to start with; every problem is listed. */
export class PluginRegistryError extends StartupError {
  override name = 'PluginRegistryError';
  /** Exit code 78 (configuration) when a drop-in from `[plugins] dir` is at fault, 1 for the build's own plugins. */
  constructor(
    readonly problems: string[],
    options: { dropIn?: boolean } = {},
  ) {
    super(`Plugins refused:\n  ${problems.join('\n  ')}`, { exitCode: options.dropIn ? EXIT_CONFIG : 1 });
  }
}

const ID_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;

const KINDS = [
  { kind: 'check', decorator: Check, methods: ['run', 'validateTarget'] },
  { kind: 'alerter', decorator: Alerter, methods: ['render', 'send'] },
  { kind: 'collector', decorator: Collector, methods: ['collect'] },
] as const;

/**
 * Finds every @Check / @Alerter / @Collector provider once at boot and checks its declaration: a
 * malformed or duplicate id stops the start with a message naming the folder.
 */
@Injectable()
export class PluginRegistry implements OnModuleInit {
  private readonly plugins = new Map<PluginKind, Map<string, RegisteredPlugin<unknown, PluginMeta<any>>>>();

  constructor(
    private readonly discovery: DiscoveryService,
    @Inject(PLUGIN_MODULES) private readonly modules: PluginModuleRef[],
  ) {}

  onModuleInit(): void {
    const problems: string[] = [];
    const found = new Set<PluginModuleRef>();
    let dropInAtFault = false;
    for (const { kind, decorator, methods } of KINDS) {
      const registered = new Map<string, RegisteredPlugin<unknown, PluginMeta<any>>>();
      for (const wrapper of this.discovery.getProviders({ metadataKey: decorator.KEY })) {
        // The decorators are Nest's DiscoverableDecorators, typed without Nest for the published SDK.
        const meta = this.discovery.getMetadataByDecorator(decorator as never, wrapper) as PluginMeta<any> | undefined;
        const ref = this.modules.find((candidate) => candidate.module === wrapper.host?.metatype);
        const where = ref?.folder ?? `provider ${wrapper.name}`;
        if (ref) found.add(ref);
        const issues = describeProblems(kind, meta, wrapper, ref, methods);
        if (meta && registered.has(meta.id)) issues.push(`${kind} id "${meta.id}" is declared twice (again in ${where})`);
        if (issues.length > 0 || !meta) {
          problems.push(...issues.map((issue) => `${where}: ${issue}`));
          dropInAtFault ||= ref?.dropIn !== undefined;
          continue;
        }
        const roles = meta.roles ?? defaultPluginRoles(kind);
        registered.set(meta.id, {
          kind,
          id: meta.id,
          meta,
          plugin: wrapper.instance,
          folder: ref!.folder,
          roles,
          ...(ref!.dropIn ? { dropIn: ref!.dropIn } : {}),
        });
      }
      this.plugins.set(kind, registered);
    }
    for (const ref of this.modules) {
      if (found.has(ref)) continue;
      // A drop-in that bundled its own copy of the SDK has decorators the host does not know.
      const hint = ref.dropIn ? ` from ${PLUGIN_SDK_PACKAGE} (import the SDK by that name; never bundle a copy of it)` : '';
      problems.push(`${ref.folder}: its module provides no @${capitalize(ref.kind)}() class${hint}`);
      dropInAtFault ||= ref.dropIn !== undefined;
    }
    if (problems.length > 0) throw new PluginRegistryError(problems, { dropIn: dropInAtFault });
  }

  checks(): RegisteredCheck[] {
    return [...(this.plugins.get('check')?.values() ?? [])] as RegisteredCheck[];
  }
  alerters(): RegisteredAlerter[] {
    return [...(this.plugins.get('alerter')?.values() ?? [])] as RegisteredAlerter[];
  }
  collectors(): RegisteredCollector[] {
    return [...(this.plugins.get('collector')?.values() ?? [])] as RegisteredCollector[];
  }

  check(id: string): RegisteredCheck | undefined {
    return this.plugins.get('check')?.get(id) as RegisteredCheck | undefined;
  }
  alerter(id: string): RegisteredAlerter | undefined {
    return this.plugins.get('alerter')?.get(id) as RegisteredAlerter | undefined;
  }
  collector(id: string): RegisteredCollector | undefined {
    return this.plugins.get('collector')?.get(id) as RegisteredCollector | undefined;
  }

  /** For the start-up log: `checks: dns, http, tcp-banner (drop-in 1.0.0); alerters: mail, ntfy (drop-in 1.0.0)`. */
  summary(): string {
    const parts = KINDS.flatMap(({ kind }) => {
      const plugins = [...(this.plugins.get(kind)?.values() ?? [])].sort((a, b) => a.id.localeCompare(b.id));
      if (plugins.length === 0) return [];
      const names = plugins.map((plugin) =>
        plugin.dropIn ? `${plugin.id} (drop-in ${plugin.dropIn.version || 'without version'})` : plugin.id,
      );
      return [`${kind}s: ${names.join(', ')}`];
    });
    return parts.length > 0 ? parts.join('; ') : 'none';
  }

  /** Validates a raw config for a registered plugin (defaults filled in, unknown keys refused). */
  validateConfig<C extends object>(plugin: RegisteredPlugin<unknown, PluginMeta<C>>, raw: unknown): ConfigValidation<C> {
    return validatePluginConfig(plugin.meta.config, raw);
  }
}

function describeProblems(
  kind: PluginKind,
  meta: PluginMeta<any> | undefined,
  wrapper: InstanceWrapper,
  ref: PluginModuleRef | undefined,
  methods: readonly string[],
): string[] {
  if (!meta || typeof meta !== 'object') return [`@${capitalize(kind)}() needs its metadata ({ id, title, config, example })`];
  const issues: string[] = [];
  if (typeof meta.id !== 'string' || !ID_PATTERN.test(meta.id)) {
    issues.push(`id ${JSON.stringify(meta.id)} must be lowercase letters, digits and "-", starting with a letter, at most 32 characters`);
  }
  if (!ref) issues.push('is not provided by a plugin folder module (plugins/<kind>/<id>/index.ts or a drop-in folder)');
  else {
    if (ref.kind !== kind) issues.push(`is a @${capitalize(kind)}() but lives in the folder for ${ref.kind} plugins`);
    if (ref.id !== meta.id) issues.push(`id "${meta.id}" must match its folder name "${ref.id}"`);
  }
  if (typeof meta.title !== 'string' || meta.title.trim() === '') issues.push('needs a title');
  if (typeof meta.config !== 'function') issues.push('needs a config class');
  else {
    const example = validatePluginConfig(meta.config, meta.example);
    if (!example.ok) issues.push(`its example config is invalid: ${example.errors.map((e) => `${e.field} ${e.message}`).join('; ')}`);
    const form = formProblems(meta.form, meta.config);
    issues.push(...form);
    if (form.length === 0) {
      const marked = meta.form.fields.filter(isSecretField).map((field) => field.name);
      const declared = meta.secrets ?? [];
      for (const name of marked.filter((name) => !declared.includes(name)))
        issues.push(`form field "${name}" is secret but not listed in secrets`);
      for (const name of declared.filter((name) => !marked.includes(name))) issues.push(`secret "${name}" needs a secret form field`);
    }
  }
  issues.push(...roleProblems(kind, meta.roles));
  if (kind === 'alerter' && typeof meta.config === 'function') issues.push(...alerterFileProblems((meta as AlerterMeta).file, meta.config));
  if (kind === 'check') {
    const target = (meta as CheckMeta).target;
    if (!target || typeof target.label !== 'string' || typeof target.placeholder !== 'string')
      issues.push('needs target: { label, placeholder }');
  }
  const instance = wrapper.instance as Record<string, unknown> | undefined;
  for (const method of methods) {
    if (typeof instance?.[method] !== 'function') issues.push(`must implement ${method}()`);
  }
  return issues;
}

/** `roles` must name executables that load plugins of this kind at all (the roles table says which). */
function roleProblems(kind: PluginKind, roles: unknown): string[] {
  if (roles === undefined) return [];
  const loading = ROLE_NAMES.filter((role) => ROLES[role].pluginKinds.includes(kind));
  if (!Array.isArray(roles) || roles.length === 0)
    return [`roles must be a non-empty list of executables, here some of ${loading.map((role) => `"${role}"`).join(', ')}`];
  return roles.flatMap((role) => {
    if (!ROLE_NAMES.includes(role)) return [`roles: ${JSON.stringify(role)} is not an executable (${ROLE_NAMES.join(', ')})`];
    if (!loading.includes(role)) return [`roles: the ${role} does not load ${kind} plugins (only ${loading.join(', ')} do)`];
    return [];
  });
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
