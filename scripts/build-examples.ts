/**
 * `npm run build:examples`: the example drop-in plugins in examples/plugins/<kind>s/<id>/, each compiled
 * by its own tsconfig.json against the SDK's published types only (npm run build:sdk first). Built in
 * place (dist/ in each example), or with `into` as ready-to-install drop-in folders:
 * `<into>/<kind>s/<id>/{package.json, README.md, dist/}`, the layout `[plugins] dir` expects.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPluginSdk, TSC } from './build-sdk.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const EXAMPLES_DIR = path.join(root, 'examples', 'plugins');

export interface ExamplePlugin {
  /** Kind folder: `checks`, `alerters`, `collectors`. */
  kindFolder: string;
  id: string;
  /** Its source folder. */
  source: string;
  /** Where its drop-in folder is (the source folder when built in place). */
  folder: string;
}

export function examplePlugins(): ExamplePlugin[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((kind) => kind.isDirectory())
    .flatMap((kind) =>
      readdirSync(path.join(EXAMPLES_DIR, kind.name), { withFileTypes: true })
        .filter((entry) => entry.isDirectory() && existsSync(path.join(EXAMPLES_DIR, kind.name, entry.name, 'tsconfig.json')))
        .map((entry) => {
          const source = path.join(EXAMPLES_DIR, kind.name, entry.name);
          return { kindFolder: kind.name, id: entry.name, source, folder: source };
        }),
    )
    .sort((a, b) => a.source.localeCompare(b.source));
}

/**
 * Compiles every example against the SDK's types: `sdkTypes` (what buildPluginSdk wrote), else
 * packages/plugin-sdk/types, built here first. With `into`, each example becomes a drop-in folder under
 * `into` (tests build their own copies, so runs at the same time never share files).
 */
export function buildExamples(options: { into?: string; sdkTypes?: string } = {}): ExamplePlugin[] {
  const sdkTypes = options.sdkTypes ?? buildPluginSdk();
  return examplePlugins().map((example) => {
    if (!options.into) {
      // In place: the example's own tsconfig, whose "paths" names packages/plugin-sdk/types.
      rmSync(path.join(example.source, 'dist'), { recursive: true, force: true });
      tsc(path.join(example.source, 'tsconfig.json'));
      return example;
    }
    const folder = path.join(options.into, example.kindFolder, example.id);
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    // The example's own tsconfig, with its output and the SDK's types pointed elsewhere.
    const tsconfig = path.join(folder, 'tsconfig.build.json');
    writeFileSync(
      tsconfig,
      JSON.stringify({
        extends: path.join(example.source, 'tsconfig.json'),
        compilerOptions: {
          rootDir: path.join(example.source, 'src'),
          outDir: path.join(folder, 'dist'),
          paths: { '@lillydoo-pulse/plugin-sdk': [path.join(sdkTypes, 'plugin-host', 'index.d.ts')] },
        },
        include: [path.join(example.source, 'src')],
      }),
    );
    tsc(tsconfig);
    rmSync(tsconfig);
    for (const file of ['package.json', 'README.md']) copyFileSync(path.join(example.source, file), path.join(folder, file));
    return { ...example, folder };
  });
}

function tsc(project: string): void {
  try {
    execFileSync(process.execPath, [TSC, '-p', project], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`tsc -p ${path.relative(root, project)} failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    for (const example of buildExamples()) process.stderr.write(`[build:examples] ${path.relative(root, example.source)}/dist\n`);
  } catch (error) {
    process.stderr.write(`[build:examples] failed: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
