import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/** The asset a single executable carries listing every project file it embeds (it cannot list its assets otherwise). */
export const PROJECT_FILE_INDEX = 'project-files.json';

/** Every shipped file under a project folder, as sorted project-relative paths (`views/pages/tokens/index.hbs`). */
export function listProjectFiles(folder: string): string[] {
  const prefix = `${folder.replace(/\/+$/, '')}/`;
  const sea = seaApi();
  if (sea) {
    const index = JSON.parse(Buffer.from(sea.getAsset(PROJECT_FILE_INDEX)).toString('utf8')) as string[];
    return index.filter((key) => key.startsWith(prefix)).sort();
  }
  const walk = (relative: string): string[] => {
    const absolute = path.join(projectRoot, relative);
    if (!existsSync(absolute)) return [];
    return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory() ? walk(`${relative}/${entry.name}`) : [`${relative}/${entry.name}`],
    );
  };
  return walk(prefix.slice(0, -1)).sort();
}
