/**
 * `npm run build:sdk`: the plugin SDK's published types, packages/plugin-sdk/types, generated from
 * app/plugin-host/index.ts (declarations only). Plugin authors compile against them; at run time Pulse
 * provides the SDK itself, so the package holds no implementation. Refuses to build when the package's
 * version is not the SDK version in app/plugin-host/sdk-version.ts, or its class-validator not the host's.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLUGIN_SDK_PACKAGE, PLUGIN_SDK_VERSION } from '../app/plugin-host/sdk-version.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const SDK_PACKAGE_DIR = path.join(root, 'packages', 'plugin-sdk');
export const TSC = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** What is wrong with packages/plugin-sdk/package.json, if anything. */
export function sdkPackageProblems(): string[] {
  const sdk = readPackage(SDK_PACKAGE_DIR);
  const host = readPackage(root);
  const problems: string[] = [];
  if (sdk.name !== PLUGIN_SDK_PACKAGE) problems.push(`its name is ${sdk.name}, not ${PLUGIN_SDK_PACKAGE}`);
  if (sdk.version !== PLUGIN_SDK_VERSION)
    problems.push(`its version is ${sdk.version}; app/plugin-host/sdk-version.ts says ${PLUGIN_SDK_VERSION}`);
  const validator = host.dependencies?.['class-validator'];
  if (sdk.dependencies?.['class-validator'] !== validator)
    problems.push(`it depends on class-validator ${sdk.dependencies?.['class-validator']}; Pulse on ${validator} (the SDK re-exports it)`);
  return problems;
}

/** Writes the declarations into `<outDir>` (default packages/plugin-sdk/types) and returns that directory. */
export function buildPluginSdk(options: { outDir?: string } = {}): string {
  const problems = sdkPackageProblems();
  if (problems.length > 0) throw new Error(`packages/plugin-sdk/package.json: ${problems.join('; ')}`);
  const outDir = options.outDir ?? path.join(SDK_PACKAGE_DIR, 'types');
  rmSync(outDir, { recursive: true, force: true });
  execFileSync(process.execPath, [TSC, '-p', path.join(SDK_PACKAGE_DIR, 'tsconfig.json'), '--outDir', outDir], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return outDir;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const outDir = buildPluginSdk();
    process.stderr.write(`[build:sdk] ${PLUGIN_SDK_PACKAGE} ${PLUGIN_SDK_VERSION}: types in ${path.relative(root, outDir)}\n`);
  } catch (error) {
    const { stdout } = error as { stdout?: Buffer };
    process.stderr.write(`[build:sdk] failed: ${(error as Error).message}\n${stdout?.toString() ?? ''}`);
    process.exit(1);
  }
}
