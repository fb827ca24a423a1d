import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from './project-files.js';

// Set by the single-executable build (esbuild `define`); from source we read package.json.
declare const __PULSE_VERSION__: string | undefined;

function versionFromPackageJson(): string {
  const pkg = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const PULSE_VERSION: string = typeof __PULSE_VERSION__ === 'string' ? __PULSE_VERSION__ : versionFromPackageJson();
