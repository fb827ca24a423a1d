/**
 * `npm run build:binaries`: the three executables as Node single executable applications (SEA), the
 * recipe of shared/research/packaging.md:
 *
 *   1. the official Node binary of a pinned LTS, from the npm registry (node-linux-<arch>), checked
 *      against its recorded sha512;
 *   2. better-sqlite3 compiled against that Node's headers (not N-API, so it must match the embedded ABI);
 *   3. tsc's output (it emits the decorator metadata Nest and TypeORM need) bundled per role by esbuild,
 *      with a generated entry that registers that role's plugin folders statically;
 *   4. worker thread scripts bundled one file each, embedded as SEA assets (a worker runs one with `eval`);
 *   5. a SEA blob made by that same Node, injected with postject into a stripped copy of it.
 *
 * Outputs dist/bin/<executable>-linux-<arch>. arm64 is built too when the Debian cross toolchain
 * (g++-aarch64-linux-gnu) is installed. Unchanged inputs are not rebuilt.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { PROJECT_FILE_INDEX } from '../app/runtime/project-files.js';
import { KIND_FOLDERS, ROLES, ROLE_NAMES, type Role } from '../app/runtime/roles.js';
import { VENDOR_FILES } from '../app/web/vendor-files.js';
import { WORKER_SCRIPTS, workerAsset, type WorkerScript } from '../app/runtime/worker-scripts.js';

/**
 * Node 22 LTS, not 24: from 24.19 on, `node::ObjectWrap` registers environment cleanup hooks, and
 * better-sqlite3 12 (the line TypeORM 1.x supports) compiled against those headers aborts the process
 * when a GC outside a V8 context finalizes a statement (nodejs/node#65446). better-sqlite3 13 avoids it
 * through N-API but needs Node >= 22 for development too. test/e2e/executable.spec.ts guards this.
 */
export const NODE_VERSION = '22.23.3';
const NODE_INTEGRITY: Record<Arch, string> = {
  x64: 'sha512-qHnz5tFsHoj/WM+uRENVjWONi5hVvmwrgq8A4V76KpuVNAc4+jwK8x4gwbobE9BtHNg/AKR2583eYorLF/c7ng==',
  arm64: 'sha512-l3DAHZreylo+p9QXDtsOrjG2JXJqVzYXnAGmIQNOUNARcMppTO2cmewVQP+36tjJnSE+dzpMNtgW+c3oiDvXtA==',
};
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export type Arch = 'x64' | 'arm64';

const CROSS: Record<Arch, { gyp: string; prefix: string | null }> = {
  x64: { gyp: 'x64', prefix: null },
  arm64: { gyp: 'arm64', prefix: 'aarch64-linux-gnu-' },
};

/** Optional packages that Nest, TypeORM and pg load only when configured; none is used here. */
const EXTERNAL = [
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@fastify/static',
  '@fastify/view',
  '@fastify/multipart',
  '@nestjs/platform-express',
  'pg-native',
  'pg-query-stream',
  'mysql',
  'mysql2',
  'oracledb',
  'mssql',
  'mongodb',
  'ioredis',
  'redis',
  '@sap/hana-client',
  '@sap/hana-client/*',
  '@google-cloud/spanner',
  'typeorm-aurora-data-api-driver',
  'react-native-sqlite-storage',
  'expo-sqlite',
  'sql.js',
  'sqlite3',
  'better-sqlite3/lib/*.node',
  'ts-node',
  'hdb-pool',
  'pg-cloudflare',
  'cloudflare:sockets',
];

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = path.join(root, 'dist');
const cache = path.join(root, '.cache');
const work = path.join(root, 'build');
export const BIN_DIR = path.join(dist, 'bin');

/** Runs a tool; its stderr is shown only when it fails (postject warns harmlessly about ELF notes). */
function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd ?? root,
      env: options.env ?? process.env,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

function hasCommand(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function log(message: string): void {
  process.stderr.write(`[build:binaries] ${message}\n`);
}

/** node-linux-<arch>@NODE_VERSION from the npm registry, verified, unpacked under .cache. */
function nodeRuntime(arch: Arch): string {
  const dir = path.join(cache, `node-linux-${arch}-${NODE_VERSION}`);
  if (existsSync(path.join(dir, 'bin', 'node'))) return dir;
  mkdirSync(cache, { recursive: true });
  log(`fetching node-linux-${arch}@${NODE_VERSION} from the npm registry`);
  const tarballName = run('npm', ['pack', `node-linux-${arch}@${NODE_VERSION}`, '--pack-destination', cache, '--silent'])
    .trim()
    .split('\n')
    .pop()!;
  const tarball = path.join(cache, tarballName);
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (integrity !== NODE_INTEGRITY[arch]) {
    rmSync(tarball, { force: true });
    throw new Error(`node-linux-${arch}@${NODE_VERSION}: integrity ${integrity} does not match the recorded ${NODE_INTEGRITY[arch]}`);
  }
  mkdirSync(dir, { recursive: true });
  run('tar', ['xzf', tarball, '-C', dir, '--strip-components=1']);
  rmSync(tarball, { force: true });
  return dir;
}

function nodeGypScript(): string {
  const candidates = [
    process.env.npm_execpath
      ? path.join(path.dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')
      : '',
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) throw new Error('node-gyp not found (it ships with npm)');
  return found;
}

/** better-sqlite3 built for the embedded Node's ABI and the target arch, cached by versions. */
function sqliteAddon(arch: Arch, nodeDir: string): string {
  const moduleDir = path.join(root, 'node_modules', 'better-sqlite3');
  const version = (JSON.parse(readFileSync(path.join(moduleDir, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = path.join(cache, `better-sqlite3-${version}-node-${NODE_VERSION}-${arch}`);
  const addon = path.join(dir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(addon)) return addon;
  log(`compiling better-sqlite3 ${version} for node ${NODE_VERSION} ${arch} (about a minute)`);
  rmSync(dir, { recursive: true, force: true });
  for (const part of ['package.json', 'binding.gyp', 'src', 'deps', 'lib'])
    cpSync(path.join(moduleDir, part), path.join(dir, part), { recursive: true });
  const prefix = CROSS[arch].prefix;
  const env = { ...process.env, npm_config_nodedir: nodeDir };
  if (prefix) Object.assign(env, { CC: `${prefix}gcc`, CXX: `${prefix}g++`, LINK: `${prefix}g++`, AR: `${prefix}ar` });
  run(process.execPath, [nodeGypScript(), 'rebuild', '--release', `--arch=${CROSS[arch].gyp}`, `--nodedir=${nodeDir}`, '-j', '2'], {
    cwd: dir,
    env,
  });
  return addon;
}

function filesUnder(dir: string, keep: (file: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(full, keep);
    return keep(full) ? [full] : [];
  });
}

/** Non-code files the role reads at run time (project-relative path → absolute file). */
function projectAssets(role: Role): Record<string, string> {
  const assets: Record<string, string> = {};
  const add = (file: string) => (assets[path.relative(root, file).split(path.sep).join('/')] = file);
  if (role === 'server') {
    filesUnder(path.join(root, 'views'), (file) => !file.endsWith('.md')).forEach(add);
    for (const file of Object.values(VENDOR_FILES)) add(path.join(root, file));
    filesUnder(path.join(root, 'installers'), (file) => !file.endsWith('.md')).forEach(add);
    filesUnder(path.join(root, 'appliance', 'mibs'), () => true).forEach(add);
    filesUnder(path.join(root, 'appliance', 'systemd'), (file) => !file.endsWith('.md')).forEach(add);
  }
  // The executable cannot list its assets, so it carries their names (listProjectFiles reads this).
  const index = path.join(work, `${role}-${PROJECT_FILE_INDEX}`);
  mkdirSync(work, { recursive: true });
  writeFileSync(index, JSON.stringify(Object.keys(assets).sort()));
  assets[PROJECT_FILE_INDEX] = index;
  return assets;
}

/** The bundle's entry: register this role's plugin folders, then start the role's executable. */
function writeEntry(role: Role): string {
  const lines: string[] = [];
  const refs: string[] = [];
  for (const kind of ROLES[role].pluginKinds) {
    const kindDir = path.join(dist, 'plugins', KIND_FOLDERS[kind]);
    if (!existsSync(kindDir)) continue;
    for (const id of readdirSync(kindDir).sort()) {
      const index = path.join(kindDir, id, 'index.js');
      if (!existsSync(index)) continue;
      const name = `plugin_${kind}_${id.replace(/\W/g, '_')}`;
      lines.push(`import ${name} from ${JSON.stringify(index)};`);
      refs.push(`toPluginModuleRef(${JSON.stringify(kind)}, ${JSON.stringify(id)}, ${name})`);
    }
  }
  const loader = path.join(dist, 'app', 'plugin-host', 'plugin-loader.js');
  const registration = path.join(work, `${role}-plugins.mjs`);
  writeFileSync(
    registration,
    [
      `// Generated by scripts/build-binaries.ts: the ${role}'s plugin folders (its kinds in app/runtime/roles.ts), imported statically for the bundle.`,
      `import { BUNDLED_PLUGINS_KEY, toPluginModuleRef } from ${JSON.stringify(loader)};`,
      ...lines,
      `globalThis[BUNDLED_PLUGINS_KEY] = [${refs.join(', ')}];`,
      '',
    ].join('\n'),
  );
  const entry = path.join(work, `${role}-entry.mjs`);
  // ES modules run their imports in order: the plugins are registered before the role's main code starts.
  writeFileSync(
    entry,
    `import 'reflect-metadata';\nimport ${JSON.stringify(registration)};\nimport ${JSON.stringify(path.join(dist, ROLES[role].entry))};\n`,
  );
  return entry;
}

/**
 * V8 keeps the whole bundle source in memory, as one byte per character only if every character is
 * Latin-1. A handful of non-ASCII characters (validator's locale regexes) would double it to UTF-16, so
 * they are written as \\u escapes, which mean the same in strings, regexes, templates and identifiers.
 */
function escapeNonAscii(file: string): void {
  const source = readFileSync(file, 'utf8');
  const escaped = source.replace(/[^\x00-\x7f]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (escaped !== source) writeFileSync(file, escaped);
}

async function bundle(role: Role, version: string): Promise<string> {
  const outfile = path.join(work, `${role}.cjs`);
  const bindingsShim = path.join(work, 'bindings-shim.cjs');
  writeFileSync(
    bindingsShim,
    "module.exports = () => { throw new Error('native addons are loaded from SEA assets; pass them explicitly'); };\n",
  );
  await build({
    entryPoints: [writeEntry(role)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node22',
    keepNames: true, // TypeORM and Nest use class names
    minifySyntax: true,
    minifyWhitespace: true,
    charset: 'ascii',
    legalComments: 'none',
    logLevel: 'error',
    external: EXTERNAL,
    alias: { bindings: bindingsShim },
    define: { __PULSE_VERSION__: JSON.stringify(version), 'import.meta.url': '__pulseImportMetaUrl' },
    banner: {
      js: "var __pulseImportMetaUrl = require('node:url').pathToFileURL(__filename).href;\nrequire = require('node:module').createRequire(__filename);",
    },
  });
  escapeNonAscii(outfile);
  return outfile;
}

/**
 * The role's worker thread scripts (app/runtime/worker-scripts.ts), each bundled into one CommonJS file:
 * a single executable has one embedded main script, so a worker runs its bundle from a SEA asset.
 */
async function bundleWorkers(role: Role): Promise<Record<string, string>> {
  const assets: Record<string, string> = {};
  for (const [name, script] of Object.entries(WORKER_SCRIPTS)) {
    if (!script.roles.includes(role)) continue;
    const outfile = path.join(work, 'workers', `${name}.cjs`);
    await build({
      entryPoints: [path.join(dist, script.file)],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      minifySyntax: true,
      minifyWhitespace: true,
      charset: 'ascii',
      legalComments: 'none',
      logLevel: 'error',
    });
    assets[workerAsset(name as WorkerScript)] = outfile;
  }
  return assets;
}

function strip(arch: Arch, file: string): void {
  const tool = `${CROSS[arch].prefix ?? ''}strip`;
  if (hasCommand(tool)) run(tool, ['--strip-all', file]);
  else log(`${tool} not found: ${path.basename(file)} left unstripped`);
}

/** One executable: blob from the embedded Node itself, injected into a (stripped) copy of it. */
function assemble(
  role: Role,
  arch: Arch,
  bundleFile: string,
  assets: Record<string, string>,
  hostNode: string,
  targetNode: string,
  stripIt: boolean,
  out: string,
): string {
  const name = `${ROLES[role].executable}-linux-${arch}`;
  const blob = path.join(work, `${name}.blob`);
  const seaConfig = path.join(work, `${name}.sea.json`);
  writeFileSync(
    seaConfig,
    JSON.stringify({ main: bundleFile, output: blob, disableExperimentalSEAWarning: true, useCodeCache: arch === 'x64', assets }, null, 2),
  );
  run(hostNode, ['--experimental-sea-config', seaConfig]);
  const target = path.join(out, name);
  const partial = `${target}.partial`;
  copyFileSync(targetNode, partial);
  if (stripIt) strip(arch, partial);
  run(process.execPath, [
    path.join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
    partial,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    SEA_FUSE,
  ]);
  run('chmod', ['0755', partial]);
  run('mv', [partial, target]);
  return target;
}

function digestOf(files: string[], extra: string): string {
  const hash = createHash('sha256').update(extra);
  for (const file of files.sort()) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * One build at a time in a checkout: test files that need the executables run in parallel, and the
 * bundles, entries and blobs under build/ have fixed names. A lock whose process is gone is taken over.
 */
async function withBuildLock<T>(run: () => Promise<T>): Promise<T> {
  const lock = path.join(work, '.build-binaries.lock');
  const owner = path.join(lock, 'pid');
  mkdirSync(work, { recursive: true });
  for (let waited = 0; ; waited += 500) {
    try {
      mkdirSync(lock);
      writeFileSync(owner, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (isStale(lock, readFileSyncOrEmpty(owner))) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (waited === 0) log('waiting for another build in this checkout');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    return await run();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function readFileSyncOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** A lock whose process is gone, or that never got its pid within a minute (its maker died at once). */
function isStale(lock: string, pidText: string): boolean {
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) {
    try {
      return Date.now() - statSync(lock).mtimeMs > 60_000;
    } catch {
      return true;
    }
  }
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

export async function buildBinaries(
  options: { arches?: Arch[]; roles?: Role[]; strip?: boolean; force?: boolean; outDir?: string } = {},
): Promise<string[]> {
  return withBuildLock(() => buildUnlocked(options));
}

async function buildUnlocked(options: {
  arches?: Arch[];
  roles?: Role[];
  strip?: boolean;
  force?: boolean;
  outDir?: string;
}): Promise<string[]> {
  const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
  const arches = options.arches ?? (['x64', ...(hasCommand('aarch64-linux-gnu-g++') ? ['arm64'] : [])] as Arch[]);
  const roles = options.roles ?? ROLE_NAMES;
  const stripIt = options.strip ?? true;
  const out = options.outDir ?? BIN_DIR;
  mkdirSync(work, { recursive: true });
  mkdirSync(out, { recursive: true });
  const hostNode = path.join(nodeRuntime('x64'), 'bin', 'node');
  const built: string[] = [];
  for (const role of roles) {
    const bundleFile = await bundle(role, version);
    const workers = await bundleWorkers(role);
    for (const arch of arches) {
      const targetNode = path.join(nodeRuntime(arch), 'bin', 'node');
      const assets = { ...projectAssets(role), ...workers };
      if (ROLES[role].database) assets['better_sqlite3.node'] = sqliteAddon(arch, nodeRuntime(arch));
      const name = `${ROLES[role].executable}-linux-${arch}`;
      const digest = digestOf(
        [bundleFile, ...Object.values(assets)],
        `${NODE_VERSION}:${arch}:${stripIt}:${JSON.stringify(Object.keys(assets).sort())}`,
      );
      const stamp = path.join(out, `.${name}.digest`);
      const target = path.join(out, name);
      if (!options.force && existsSync(target) && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
        log(`${name} is up to date`);
      } else {
        assemble(role, arch, bundleFile, assets, hostNode, targetNode, stripIt, out);
        writeFileSync(stamp, digest);
        log(`${name}: ${(statSync(target).size / 1024 / 1024).toFixed(1)} MB`);
      }
      built.push(target);
    }
  }
  return built;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const arches = args.filter((arg) => arg === 'x64' || arg === 'arm64') as Arch[];
  buildBinaries({
    arches: arches.length > 0 ? arches : undefined,
    force: args.includes('--force'),
    strip: !args.includes('--no-strip'),
  }).catch((error: Error) => {
    process.stderr.write(`[build:binaries] failed: ${error.message}\n`);
    process.exit(1);
  });
}
