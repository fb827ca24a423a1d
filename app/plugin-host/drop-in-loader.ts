import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import semver from 'semver';
import type { PluginKind } from './contracts.js';
import { declaredRoles, DropInLoadError, isPluginModule, type PluginModuleRef } from './plugin-module-ref.js';
import { provideSdkToDropIns } from './sdk-provision.js';
import { PLUGIN_SDK_PACKAGE, PLUGIN_SDK_VERSION } from './sdk-version.js';
import { KIND_FOLDERS } from '../runtime/roles.js';

/*
 * Drop-in plugins (SPEC §11): `[plugins] dir` holds one folder per plugin, by kind as in the source tree:
 * `<dir>/checks/<id>/`, `<dir>/alerters/<id>/`, `<dir>/collectors/<id>/`. A folder holds a package.json
 * (its version, its entry as `main` or index.js, and the SDK range it was built against as
 * `peerDependencies["@lillydoo-pulse/plugin-sdk"]`) and compiled JavaScript that imports only that SDK,
 * `node:` built-ins and its own files. Each executable reads only the kind folders it hosts. Every folder
 * that cannot be loaded is listed with its reason, and the start is refused.
 */

const KIND_OF_FOLDER = new Map(Object.entries(KIND_FOLDERS).map(([kind, folder]) => [folder, kind as PluginKind]));

interface Manifest {
  version: string;
  sdkRange: string;
  entry: string;
}

/** The drop-in plugins of these kinds under `dir` (none when it does not exist); throws DropInLoadError naming every bad folder. */
export async function loadDropInPlugins(
  dir: string,
  kinds: readonly PluginKind[],
  builtIns: readonly PluginModuleRef[],
): Promise<PluginModuleRef[]> {
  const top = listDirectory(dir);
  if (top === null) return [];
  const problems: string[] = [];
  const folders: { kind: PluginKind; id: string; folder: string }[] = [];
  for (const entry of top) {
    if (entry.name.startsWith('.') || !isDirectory(dir, entry)) continue;
    const kind = KIND_OF_FOLDER.get(entry.name);
    if (!kind) {
      problems.push(
        `${path.join(dir, entry.name)}: not a kind folder; a drop-in plugin goes into ${[...KIND_OF_FOLDER.keys()].map((name) => `${name}/<id>/`).join(', ')}`,
      );
      continue;
    }
    if (!kinds.includes(kind)) continue; // another executable's kind: never read here
    const kindDir = path.join(dir, entry.name);
    for (const plugin of listDirectory(kindDir) ?? []) {
      if (plugin.name.startsWith('.') || !isDirectory(kindDir, plugin)) continue;
      folders.push({ kind, id: plugin.name, folder: path.join(kindDir, plugin.name) });
    }
  }
  if (folders.length > 0) provideSdkToDropIns();
  const refs: PluginModuleRef[] = [];
  for (const { kind, id, folder } of folders.sort((a, b) => a.folder.localeCompare(b.folder))) {
    try {
      const builtIn = builtIns.find((ref) => ref.kind === kind && ref.id === id);
      if (builtIn) throw new Refusal(`a built-in ${kind} is called "${id}" (${builtIn.folder}); give the drop-in another id`);
      refs.push(await loadDropIn(kind, id, folder));
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      problems.push(`${folder}: ${error.message}`);
    }
  }
  if (problems.length > 0) throw new DropInLoadError(dir, problems);
  return refs;
}

/** A reason to refuse one folder (collected with the others). */
class Refusal extends Error {}

async function loadDropIn(kind: PluginKind, id: string, folder: string): Promise<PluginModuleRef> {
  const manifest = readManifest(folder);
  const entryName = path.relative(folder, manifest.entry);
  let imported: { default?: unknown };
  try {
    imported = (await import(pathToFileURL(manifest.entry).href)) as { default?: unknown };
  } catch (error) {
    throw new Refusal(describeLoadFailure(error, folder, entryName));
  }
  let exported = imported.default;
  // CommonJS compiled by tsc: `exports.default = Module`, and import() gives module.exports as the default.
  if (!isPluginModule(exported) && typeof exported === 'object' && exported !== null && 'default' in exported)
    exported = (exported as { default: unknown }).default;
  if (!isPluginModule(exported)) {
    throw new Refusal(
      `${entryName} must default-export the plugin's module: @PluginModule({ providers: [YourPlugin] }) export default class YourPluginModule {}`,
    );
  }
  return {
    kind,
    id,
    folder,
    module: exported,
    roles: declaredRoles(kind, exported),
    dropIn: { version: manifest.version, sdkRange: manifest.sdkRange },
  };
}

/** package.json: the SDK range it was built against (refused when this SDK is outside it or of another major) and the entry. */
function readManifest(folder: string): Manifest {
  let text: string;
  try {
    text = readFileSync(path.join(folder, 'package.json'), 'utf8');
  } catch {
    throw new Refusal('has no package.json (a drop-in folder holds its package.json and its compiled JavaScript)');
  }
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new Refusal(`package.json is not valid JSON (${(error as Error).message})`);
  }
  if (typeof pkg !== 'object' || pkg === null || Array.isArray(pkg)) throw new Refusal('package.json must hold a JSON object');
  const peers = pkg.peerDependencies as Record<string, unknown> | undefined;
  const sdkRange = typeof peers === 'object' && peers !== null ? peers[PLUGIN_SDK_PACKAGE] : undefined;
  const major = semver.major(PLUGIN_SDK_VERSION);
  if (typeof sdkRange !== 'string' || sdkRange.trim() === '') {
    throw new Refusal(
      `package.json names no plugin SDK version: add "peerDependencies": { "${PLUGIN_SDK_PACKAGE}": "^${major}.0.0" } (the SDK it was built against)`,
    );
  }
  const lowest = semver.validRange(sdkRange) === null ? null : semver.minVersion(sdkRange);
  if (!lowest)
    throw new Refusal(`package.json: peerDependencies["${PLUGIN_SDK_PACKAGE}"] = ${JSON.stringify(sdkRange)} is not a version range`);
  if (lowest.major !== major || !semver.satisfies(PLUGIN_SDK_VERSION, sdkRange)) {
    const advice =
      lowest.major > major || (lowest.major === major && semver.gt(lowest, PLUGIN_SDK_VERSION))
        ? 'it needs a newer Pulse'
        : `rebuild it against ${PLUGIN_SDK_PACKAGE} ^${major}.0.0`;
    throw new Refusal(`built for plugin SDK ${sdkRange}, this Pulse provides SDK ${PLUGIN_SDK_VERSION}: ${advice}`);
  }
  const main = typeof pkg.main === 'string' && pkg.main.trim() !== '' ? pkg.main : 'index.js';
  const entry = path.resolve(folder, main);
  if (path.relative(folder, entry).startsWith('..'))
    throw new Refusal(`package.json: main ${JSON.stringify(main)} points out of its folder`);
  if (!isFile(entry)) {
    throw new Refusal(
      `${path.relative(folder, entry)} (${typeof pkg.main === 'string' ? 'package.json main' : 'the default entry'}) does not exist: build the plugin and copy its output`,
    );
  }
  return { version: typeof pkg.version === 'string' ? pkg.version : '', sdkRange, entry };
}

/**
 * Why importing the entry failed, in a line: an import that is not there, what it threw and where, or a
 * syntax error (with its file and line when Node gives them).
 */
function describeLoadFailure(error: unknown, folder: string, entryName: string): string {
  if (!(error instanceof Error)) return `${entryName} threw ${String(error)} while loading`;
  const stack = error.stack ?? '';
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
    const missing = /Cannot find (?:package|module) '([^']+)'/.exec(error.message)?.[1];
    return `${entryName} imports ${missing ? `"${missing}"` : 'a module'}, which is not there: a drop-in imports only ${PLUGIN_SDK_PACKAGE}, node: built-ins and its own files (bundle anything else into it)`;
  }
  // Code of the plugin ran and threw (a SyntaxError from JSON.parse too): the first stack frame in its folder.
  const frame = stack
    .split('\n')
    .slice(1)
    .map((line) => /\((?:file:\/\/)?(\/[^)]*):(\d+):\d+\)$|at (?:file:\/\/)?(\/\S*):(\d+):\d+$/.exec(line.trim()))
    .find((match) => match && decodeURIComponent((match[1] ?? match[3])!).startsWith(folder + path.sep));
  if (frame) {
    const file = path.relative(folder, decodeURIComponent((frame[1] ?? frame[3])!));
    return `${entryName} threw while loading at ${file} line ${frame[2] ?? frame[4]}: ${error.name}: ${error.message.split('\n')[0]}`;
  }
  if (error instanceof SyntaxError) {
    // CommonJS: Node puts the file and line first in the stack ("/…/index.js:3"). An ES module's syntax
    // error carries no location at all, so the message says how to find it.
    const where = /^(?:file:\/\/)?(\/[^\n]*?):(\d+)\n/.exec(stack);
    if (where) return `syntax error in ${path.relative(folder, decodeURIComponent(where[1]!))} line ${where[2]}: ${error.message}`;
    return `syntax error in ${entryName} or a file it imports: ${error.message} (node --check <file> shows the line)`;
  }
  return `${entryName} cannot be loaded: ${error.name}: ${error.message.split('\n')[0]}`;
}

/** The entries of a directory, or null when it does not exist; an unreadable one is refused. */
function listDirectory(dir: string): Dirent[] | null {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    if (code === 'ENOTDIR') throw new DropInLoadError(dir, [`${dir}: not a directory`]);
    throw new DropInLoadError(dir, [`${dir}: cannot be read (${code ?? (error as Error).message})`]);
  }
}

/** Follows symlinks, so a plugin folder may be a link to where it was unpacked. */
function isDirectory(parent: string, entry: Dirent): boolean {
  if (entry.isDirectory()) return true;
  if (!entry.isSymbolicLink()) return false;
  try {
    return statSync(path.join(parent, entry.name)).isDirectory();
  } catch {
    return false;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
