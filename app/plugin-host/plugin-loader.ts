import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { PluginKind } from './contracts.js';
import { loadDropInPlugins } from './drop-in-loader.js';
import { declaredRoles, isPluginModule, PluginLoadError, type PluginModuleRef } from './plugin-module-ref.js';
import { KIND_FOLDERS, ROLES, type Role } from '../runtime/roles.js';

export { DropInLoadError, PluginLoadError, type PluginModuleRef } from './plugin-module-ref.js';

/** The single-executable build registers its statically imported plugin modules under this key. */
export const BUNDLED_PLUGINS_KEY = Symbol.for('lillydoo-pulse.bundled-plugins');

/** The compiled `plugins/` directory next to the compiled `app/`. */
const compiledPluginsRoot = fileURLToPath(new URL('../../plugins/', import.meta.url));

export interface LoadPluginOptions {
  /** `[plugins] dir`: drop-in plugin folders are loaded from here too (none when it does not exist). */
  dropInDir?: string;
}

/**
 * The plugin modules an executable hosts: the folders of the kinds its row in the roles table names (so
 * the agent never imports an alerter's dependencies), built-in and drop-in, less those whose meta leaves
 * this role out.
 */
export async function loadPluginModules(role: Role, options: LoadPluginOptions = {}): Promise<PluginModuleRef[]> {
  const kinds = ROLES[role].pluginKinds;
  const builtIns = await loadPluginModulesOfKinds(kinds);
  const dropIns = options.dropInDir === undefined ? [] : await loadDropInPlugins(options.dropInDir, kinds, builtIns);
  return [...builtIns, ...dropIns].filter((ref) => ref.roles.includes(role));
}

/** Every built-in plugin module of these kinds, whichever roles load it (the contract test looks at all of them). */
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

/**
 * A built-in plugin folder's module (the single-executable build calls this for its static imports).
 * `folder` names where it lives, for messages: a built-in's folder unless told otherwise (a test's fixture).
 */
export function toPluginModuleRef(
  kind: PluginKind,
  id: string,
  module: unknown,
  folder = `plugins/${KIND_FOLDERS[kind]}/${id}`,
): PluginModuleRef {
  if (!isPluginModule(module)) {
    throw new PluginLoadError(`${folder}/index.ts must default-export the plugin's Nest module (@Module({ providers: [...] }))`);
  }
  return { kind, id, folder, module, roles: declaredRoles(kind, module) };
}
