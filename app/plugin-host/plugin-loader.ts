import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODULE_METADATA } from '@nestjs/common/constants.js';
import type { Type } from '@nestjs/common';
import type { PluginKind, PluginMeta } from './contracts.js';
import { Alerter, Check, Collector } from './decorators.js';
import { defaultPluginRoles, KIND_FOLDERS, ROLES, type Role } from '../runtime/roles.js';
import { StartupError } from '../runtime/startup-error.js';

/** One plugin folder: `plugins/checks/port` holds the `port` check; its index default-exports a Nest module. */
export interface PluginModuleRef {
  kind: PluginKind;
  id: string;
  /** Relative to the project root, e.g. `plugins/checks/port`. */
  folder: string;
  module: Type<unknown>;
  /** The executables that load it: its meta's `roles`, or the default for its kind. */
  roles: readonly Role[];
  /**
   * The plugin class's declaration, read from its decorator before Nest builds anything (the config file's
   * plugin-owned keys are checked with it); undefined when the module has no such class (the registry refuses it).
   */
  meta?: PluginMeta<any>;
}

/** The single-executable build registers its statically imported plugin modules under this key. */
export const BUNDLED_PLUGINS_KEY = Symbol.for('lillydoo-pulse.bundled-plugins');

/** A plugin folder that cannot be loaded: the start is refused with its folder and reason. */
export class PluginLoadError extends StartupError {
  override name = 'PluginLoadError';
}

/** The compiled `plugins/` directory next to the compiled `app/`. */
const compiledPluginsRoot = fileURLToPath(new URL('../../plugins/', import.meta.url));

const DECORATORS = { check: Check, alerter: Alerter, collector: Collector } as const;

/**
 * The plugin modules an executable hosts: the folders of the kinds its row in the roles table names (so
 * the agent never imports an alerter's dependencies), less those whose meta leaves this role out.
 */
export async function loadPluginModules(role: Role): Promise<PluginModuleRef[]> {
  const refs = await loadPluginModulesOfKinds(ROLES[role].pluginKinds);
  return refs.filter((ref) => ref.roles.includes(role));
}

/** Every plugin module of these kinds, whichever roles load it (the contract test looks at all of them). */
export async function loadPluginModulesOfKinds(kinds: readonly PluginKind[]): Promise<PluginModuleRef[]> {
  const bundled = (globalThis as Record<symbol, PluginModuleRef[] | undefined>)[BUNDLED_PLUGINS_KEY];
  const refs = bundled ?? (await importPluginFolders(kinds));
  return refs.filter((ref) => kinds.includes(ref.kind)).sort((a, b) => a.folder.localeCompare(b.folder));
}

/** Plugin folders present in a compiled tree, by kind. */
export function findPluginFolders(
  kinds: readonly PluginKind[],
  root = compiledPluginsRoot,
): { kind: PluginKind; id: string; indexFile: string }[] {
  return kinds.flatMap((kind) => {
    const kindDir = path.join(root, KIND_FOLDERS[kind]);
    if (!existsSync(kindDir)) return [];
    return readdirSync(kindDir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => ({ kind, id: entry.name, indexFile: path.join(kindDir, entry.name, 'index.js') }))
      .filter((folder) => existsSync(folder.indexFile));
  });
}

async function importPluginFolders(kinds: readonly PluginKind[]): Promise<PluginModuleRef[]> {
  const refs: PluginModuleRef[] = [];
  for (const folder of findPluginFolders(kinds)) {
    const imported = (await import(pathToFileURL(folder.indexFile).href)) as { default?: unknown };
    refs.push(toPluginModuleRef(folder.kind, folder.id, imported.default));
  }
  return refs;
}

/** `folder`: where it lives, for messages (a built-in plugin's folder unless told otherwise). */
export function toPluginModuleRef(
  kind: PluginKind,
  id: string,
  module: unknown,
  folder = `plugins/${KIND_FOLDERS[kind]}/${id}`,
): PluginModuleRef {
  if (typeof module !== 'function' || Reflect.getMetadata(MODULE_METADATA.PROVIDERS, module) === undefined) {
    throw new PluginLoadError(`${folder}/index.ts must default-export the plugin's Nest module (@Module({ providers: [...] }))`);
  }
  const type = module as Type<unknown>;
  const meta = declaredMeta(kind, type);
  // The loader must decide what to host first; a malformed `roles` is left for the registry to refuse by name.
  const roles = meta && Array.isArray(meta.roles) ? meta.roles : defaultPluginRoles(kind);
  return { kind, id, folder, module: type, roles, meta };
}

/** The meta of the module's plugin class, read from its decorator. */
function declaredMeta(kind: PluginKind, module: Type<unknown>): PluginMeta<any> | undefined {
  const providers = (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, module) ?? []) as unknown[];
  for (const provider of providers) {
    const meta =
      typeof provider === 'function' ? (Reflect.getMetadata(DECORATORS[kind].KEY, provider) as PluginMeta | undefined) : undefined;
    if (meta && typeof meta === 'object') return meta;
  }
  return undefined;
}
