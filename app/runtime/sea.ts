import { createRequire } from 'node:module';

/** The subset of `node:sea` we use; absent on Node builds without SEA support. */
interface SeaApi {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
}

let cached: SeaApi | null | undefined;

/** `node:sea` when this process is a single executable application, else null. */
export function seaApi(): SeaApi | null {
  if (cached !== undefined) return cached;
  try {
    // createRequire keeps esbuild from trying to bundle the builtin and works in ESM and CJS alike.
    const sea = createRequire(process.execPath)('node:sea') as SeaApi;
    cached = sea.isSea() ? sea : null;
  } catch {
    cached = null;
  }
  return cached;
}

export function isSingleExecutable(): boolean {
  return seaApi() !== null;
}
