import { MODULE_METADATA } from '@nestjs/common/constants.js';
import type { Type } from '@nestjs/common';
import type { PluginKind, PluginMeta } from './contracts.js';
import { Alerter, Check, Collector } from './decorators.js';
import { defaultPluginRoles, type Role } from '../runtime/roles.js';
import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';

/** One plugin folder: `plugins/checks/port` holds the `port` check; its index default-exports a Nest module. */
export interface PluginModuleRef {
  kind: PluginKind;
  id: string;
  /** Relative to the project root for a built-in (`plugins/checks/port`); the absolute folder of a drop-in. */
  folder: string;
  module: Type<unknown>;
  /** The executables that load it: its meta's `roles`, or the default for its kind. */
  roles: readonly Role[];
  /** Set for a drop-in plugin from `[plugins] dir`: its package version and the SDK range it was built against. */
  dropIn?: { version: string; sdkRange: string };
}

/** A plugin folder that cannot be loaded: the start is refused with its folder and reason. */
export class PluginLoadError extends StartupError {
  override name = 'PluginLoadError';
}

/** Drop-in plugins that cannot be loaded: a file the configuration points at is at fault (exit 78). */
export class DropInLoadError extends PluginLoadError {
  override name = 'DropInLoadError';
  constructor(
    readonly dir: string,
    readonly problems: string[],
  ) {
    super(`Drop-in plugins refused ([plugins] dir ${dir}):\n  ${problems.join('\n  ')}`, { exitCode: EXIT_CONFIG });
  }
}

const DECORATORS = { check: Check, alerter: Alerter, collector: Collector } as const;

/** Whether `value` is a Nest module class that provides something (what a plugin folder must default-export). */
export function isPluginModule(value: unknown): value is Type<unknown> {
  return typeof value === 'function' && Reflect.getMetadata(MODULE_METADATA.PROVIDERS, value) !== undefined;
}

/**
 * The roles the module's plugin class declares, read from its decorator before Nest builds anything (the
 * loader must decide what to host first). A malformed `roles` is left for the registry to refuse by name.
 */
export function declaredRoles(kind: PluginKind, module: Type<unknown>): readonly Role[] {
  const meta = declaredMeta(kind, module);
  return meta && Array.isArray(meta.roles) ? meta.roles : defaultPluginRoles(kind);
}

/**
 * The declaration (meta) of the module's plugin class, read from its decorator before Nest builds
 * anything: the server's config file is read with the alerters' declarations before the start. Undefined
 * when the module has no such class (the registry refuses it by name).
 */
export function declaredMeta(kind: PluginKind, module: Type<unknown>): PluginMeta<any> | undefined {
  const providers = (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, module) ?? []) as unknown[];
  for (const provider of providers) {
    const meta =
      typeof provider === 'function' ? (Reflect.getMetadata(DECORATORS[kind].KEY, provider) as PluginMeta | undefined) : undefined;
    if (meta && typeof meta === 'object') return meta;
  }
  return undefined;
}
