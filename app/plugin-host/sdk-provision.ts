import Module from 'node:module';
import path from 'node:path';
import * as sdk from './index.js';
import { PLUGIN_SDK_PACKAGE } from './sdk-version.js';

/*
 * Drop-in plugins import the SDK by name (`import { Check } from '@lillydoo-pulse/plugin-sdk'`, or
 * `require(...)` when compiled to CommonJS), yet no such package is installed anywhere: the host hands
 * them its own SDK module, the very object the built-in plugins and the registry use, so their
 * decorators are the host's and DiscoveryService finds their classes. There is no file to resolve to in
 * a single executable (the SDK lives inside the bundle), so the module object is kept on globalThis and
 * the name is resolved to it:
 *
 * - `require`: Module._resolveFilename maps the name to a file name no file has, whose entry in the
 *   CommonJS module cache already holds the SDK (Node checks the cache before reading anything).
 * - `import`: a resolve hook maps the name to a small ES module (a data: URL) that re-exports every
 *   export of that object by name. Node >= 22.15 (the single executables) takes the hook in-thread with
 *   module.registerHooks; older Node (running from source) off-thread with module.register.
 */

const SDK_GLOBAL = Symbol.for('lillydoo-pulse.plugin-sdk');
/** What `require.resolve('@lillydoo-pulse/plugin-sdk')` gives: a name, never a file on disk. */
const SDK_CACHE_KEY = path.join(path.sep, 'lillydoo-pulse', 'provided', `${PLUGIN_SDK_PACKAGE}.cjs`);

interface ResolveContext {
  conditions: readonly string[];
}
interface ResolveResult {
  url: string;
  format?: string;
  shortCircuit?: boolean;
}
type ModuleInternals = typeof Module & {
  _resolveFilename(request: string, ...rest: unknown[]): string;
  _cache: Record<string, Module>;
  registerHooks?(hooks: {
    resolve(specifier: string, context: ResolveContext, next: (specifier: string, context: ResolveContext) => ResolveResult): ResolveResult;
  }): unknown;
};

let provided = false;

/** Makes `@lillydoo-pulse/plugin-sdk` resolve to this process's SDK, for require and import alike. Idempotent. */
export function provideSdkToDropIns(): void {
  if (provided) return;
  provided = true;
  (globalThis as Record<symbol, unknown>)[SDK_GLOBAL] = sdk;
  const internals = Module as ModuleInternals;
  provideToRequire(internals);
  provideToImport(internals, sdkModuleUrl(Object.keys(sdk)));
}

function provideToRequire(internals: ModuleInternals): void {
  const cached = new Module(SDK_CACHE_KEY);
  cached.filename = SDK_CACHE_KEY;
  cached.loaded = true;
  cached.exports = sdk;
  internals._cache[SDK_CACHE_KEY] = cached;
  const resolveFilename = internals._resolveFilename;
  internals._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
    return request === PLUGIN_SDK_PACKAGE ? SDK_CACHE_KEY : resolveFilename.call(this, request, ...rest);
  };
}

function provideToImport(internals: ModuleInternals, url: string): void {
  if (typeof internals.registerHooks === 'function') {
    internals.registerHooks({
      resolve(specifier, context, next) {
        // A require() of the name is left to _resolveFilename above (the cache entry); import gets the ES module.
        if (specifier === PLUGIN_SDK_PACKAGE && !context.conditions.includes('require'))
          return { url, format: 'module', shortCircuit: true };
        return next(specifier, context);
      },
    });
    return;
  }
  const hooks = `export async function resolve(specifier, context, next) {
  if (specifier === ${JSON.stringify(PLUGIN_SDK_PACKAGE)}) return { url: ${JSON.stringify(url)}, format: 'module', shortCircuit: true };
  return next(specifier, context);
}`;
  Module.register(`data:text/javascript,${encodeURIComponent(hooks)}`);
}

/** An ES module whose exports are the SDK object's, taken from globalThis when a plugin imports it. */
function sdkModuleUrl(names: readonly string[]): string {
  const exported = names.filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default');
  const source = [
    `const sdk = globalThis[Symbol.for(${JSON.stringify(SDK_GLOBAL.description)})];`,
    `export const { ${exported.join(', ')} } = sdk;`,
    'export default sdk;',
    '',
  ].join('\n');
  return `data:text/javascript;base64,${Buffer.from(source).toString('base64')}`;
}
