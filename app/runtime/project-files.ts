import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { seaApi } from './sea.js';

/**
 * Non-code files that ship with Pulse (view templates, installers, the MIB).
 * From source they are read from the checkout; in the single executable they are SEA assets
 * stored under the same relative path, so callers never care which.
 */
export const projectRoot: string = fileURLToPath(new URL('../../../', import.meta.url));

export function readProjectFile(relativePath: string): Buffer {
  const key = relativePath.split(path.sep).join('/');
  const sea = seaApi();
  if (sea) return Buffer.from(sea.getAsset(key));
  return readFileSync(path.join(projectRoot, key));
}

export function projectFileExists(relativePath: string): boolean {
  const sea = seaApi();
  if (sea) {
    try {
      sea.getAsset(relativePath);
      return true;
    } catch {
      return false;
    }
  }
  return existsSync(path.join(projectRoot, relativePath));
}
