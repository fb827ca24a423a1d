import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MODULE_METADATA } from '@nestjs/common/constants.js';
import type { Type } from '@nestjs/common';
import type { PluginKind } from './contracts.js';

/** One plugin folder: `plugins/checks/port` holds the `port` check; its index default-exports a Nest module. */
export interface PluginModuleRef {
  kind: PluginKind;
  id: string;
  /** Relative to the project root, e.g. `plugins/checks/port`. */
  folder: string;
  module: Type<unknown>;
}

export const KIND_FOLDERS: Record<PluginKind, string> = { check: 'checks', alerter: 'alerters', collector: 'collectors' };

/** Which plugin kinds each executable loads: the agent never loads an alerter's dependencies. */
export const ROLE_PLUGIN_KINDS = {
  server: ['check', 'alerter'],
  poller: ['check'],
  agent: ['collector'],
} as const satisfies Record<string, readonly PluginKind[]>;

/** The single-executable build registers its statically imported plugin modules under this key. */
export const BUNDLED_PLUGINS_KEY = Symbol.for('lillydoo-pulse.bundled-plugins');

export class PluginLoadError extends Error {
  override name = 'PluginLoadError';
}

/** The compiled `plugins/` directory next to the compiled `app/`. */
const compiledPluginsRoot = fileURLToPath(new URL('../../plugins/', import.meta.url));

export async function loadPluginModules(kinds: readonly PluginKind[]): Promise<PluginModuleRef[]> {
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

export function toPluginModuleRef(kind: PluginKind, id: string, module: unknown): PluginModuleRef {
  const folder = `plugins/${KIND_FOLDERS[kind]}/${id}`;
  if (typeof module !== 'function' || Reflect.getMetadata(MODULE_METADATA.PROVIDERS, module) === undefined) {
    throw new PluginLoadError(`${folder}/index.ts must default-export the plugin's Nest module (@Module({ providers: [...] }))`);
  }
  return { kind, id, folder, module: module as Type<unknown> };
}
