import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { projectRoot } from '../../app/runtime/project-files.js';
import { importSpecifiers } from '../support/import-specifiers.js';

/** The SDK plugins import, and the entry their specs may use besides (with `test/`). */
const SDK = 'app/plugin-host/index.ts';
const SDK_TESTING = 'app/plugin-host/testing.ts';
/** The files in app/ that may import a computed module name: the loaders that find plugin folders at run time. */
const PLUGIN_LOADERS = ['app/plugin-host/plugin-loader.ts', 'app/plugin-host/drop-in-loader.ts'];

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(projectRoot, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** The project file a relative specifier names (`../x.js` → `app/x.ts`), or null for a package. */
function resolved(file: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) return null;
  const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
  return target.replace(/\.js$/, '.ts');
}

/** What `file` may not import, as "file:line imports specifier (why)". */
function violations(file: string, source: string): string[] {
  const isSpec = file.endsWith('.spec.ts');
  const found: string[] = [];
  for (const { specifier, line } of importSpecifiers(source)) {
    const at = `${file}:${line}`;
    const target = specifier === null ? null : resolved(file, specifier);
    if (file.startsWith('plugins/')) {
      const folder = file.split('/').slice(0, 3).join('/');
      if (specifier === null) found.push(`${at} imports a computed module name (plugins import packages and the SDK by name)`);
      else if (target === null || target.startsWith(`${folder}/`) || target === SDK) continue;
      else if (isSpec && (target === SDK_TESTING || target.startsWith('test/'))) continue;
      else
        found.push(
          `${at} imports ${specifier}: a plugin imports only the SDK (${SDK.replace('.ts', '.js')})${isSpec ? `, ${SDK_TESTING.replace('.ts', '.js')} and test/` : ''}, its own folder and packages`,
        );
    } else {
      if (specifier === null && !PLUGIN_LOADERS.includes(file))
        found.push(`${at} imports a computed module name (only the plugin loaders may)`);
      else if (target?.startsWith('plugins/'))
        found.push(`${at} imports ${specifier}: app/ never imports a plugin (the loader finds them)`);
      else if (target?.startsWith('test/') && !isSpec) found.push(`${at} imports ${specifier}: app/ never depends on test code`);
    }
  }
  return found;
}

/**
 * Folders of app/ every feature may use and that are no feature themselves: they are left out of the
 * feature graph (an import into or out of them cannot make a cycle between features). `web` is the
 * console's shell, which every feature's pages use as the API's controllers use `http`.
 */
const SHARED_KERNEL = new Set(['runtime', 'config', 'database', 'events', 'http', 'web', 'plugin-host', 'metrics', 'logging']);

/** Feature → the features it imports, each edge with one import that makes it ("file:line"). */
type FeatureGraph = Map<string, Map<string, string>>;

/** The import graph between app/<feature>/ folders, from their source files (specs left out: nothing imports them). */
function featureGraph(files: string[], read: (file: string) => string): FeatureGraph {
  const graph: FeatureGraph = new Map();
  for (const file of files) {
    const [root, from] = file.split('/');
    if (root !== 'app' || !from || SHARED_KERNEL.has(from) || file.endsWith('.spec.ts') || file.split('/').length < 3) continue;
    const edges = graph.get(from) ?? new Map<string, string>();
    graph.set(from, edges);
    for (const { specifier, line } of importSpecifiers(read(file))) {
      const target = specifier === null ? null : resolved(file, specifier);
      const to = target?.startsWith('app/') ? target.split('/')[1] : undefined;
      if (!to || to === from || SHARED_KERNEL.has(to) || target!.split('/').length < 3) continue;
      if (!edges.has(to)) edges.set(to, `${file}:${line}`);
    }
  }
  return graph;
}

/** Every cycle between features, each as "a → b (file:line) → … → a", found once. */
function featureCycles(graph: FeatureGraph): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const path: string[] = [];
  const onPath = new Set<string>();
  const visit = (feature: string) => {
    path.push(feature);
    onPath.add(feature);
    for (const next of graph.get(feature)?.keys() ?? []) {
      if (onPath.has(next)) {
        const loop = [...path.slice(path.indexOf(next)), next];
        cycles.push(loop.map((step, index) => (index === 0 ? step : `${step} (${graph.get(loop[index - 1]!)!.get(step)})`)).join(' → '));
      } else if (!done.has(next)) visit(next);
    }
    path.pop();
    onPath.delete(feature);
    done.add(feature);
  };
  for (const feature of [...graph.keys()].sort()) if (!done.has(feature)) visit(feature);
  return cycles;
}

describe('feature folders (imports)', () => {
  const files = sourceFiles('app');
  const read = (file: string) => readFileSync(path.join(projectRoot, file), 'utf8');

  it('import one another without a cycle (one feature depends on another, never both ways)', () => {
    const graph = featureGraph(files, read);
    assert.ok(graph.has('heartbeats') && graph.has('alarms') && graph.has('monitors'), [...graph.keys()].join(', '));
    assert.ok(graph.get('alarms')!.has('heartbeats'), 'alarms group heartbeat services');
    assert.deepEqual(featureCycles(graph), []);
  });

  it('names a cycle with the imports that make it', () => {
    const sources: Record<string, string> = {
      'app/alarms/alarm-book.ts': "import { ServiceRecord } from '../heartbeats/service-record.js';",
      'app/heartbeats/heartbeat-engine.ts':
        "import { Clock } from '../runtime/clock.js';\nimport { AlarmBook } from '../alarms/alarm-book.js';",
      'app/heartbeats/heartbeat.spec.ts': "import { x } from '../monitors/x.js';",
      'app/monitors/monitor.service.ts': "import { HeartbeatEngine } from '../heartbeats/heartbeat-engine.js';",
      'app/runtime/clock.ts': "import { MonitorService } from '../monitors/monitor.service.js';",
    };
    const cycles = featureCycles(featureGraph(Object.keys(sources), (file) => sources[file]!));
    assert.deepEqual(cycles, ['alarms → heartbeats (app/alarms/alarm-book.ts:1) → alarms (app/heartbeats/heartbeat-engine.ts:2)']);
  });
});

describe('plugin boundary (imports)', () => {
  const files = [...sourceFiles('app'), ...sourceFiles('plugins')];

  it('reads every file of app/ and plugins/', () => {
    assert.ok(files.includes('app/plugin-host/index.ts') && files.includes('plugins/checks/http/http.check.ts'));
    assert.ok(files.length > 150, `${files.length} files`);
  });

  it('keeps plugins to the SDK and app/ away from plugins', () => {
    const found = files.flatMap((file) => violations(file, readFileSync(path.join(projectRoot, file), 'utf8')));
    assert.deepEqual(found, []);
  });

  it('names a violation with its file, line and rule', () => {
    const plugin = [
      "import { Check } from '../../../app/plugin-host/index.js';",
      "import { MonitorService } from '../../../app/monitors/monitor.service.js';",
      "import type { PluginContext } from '../../../app/plugin-host/contracts.js';",
      "export { helper } from '../../alerters/mail/mail.config.js';",
      "import { parse } from './own-helper.js';",
      "import snmp from 'net-snmp';",
      "const lazy = () => import('../../../app/http/api-error.js');",
      "import { certificates } from '../../../test/peers/certificates.js';",
    ].join('\n');
    assert.deepEqual(
      violations('plugins/checks/demo/demo.check.ts', plugin).map((problem) => problem.split(': a plugin')[0]),
      [
        'plugins/checks/demo/demo.check.ts:2 imports ../../../app/monitors/monitor.service.js',
        'plugins/checks/demo/demo.check.ts:3 imports ../../../app/plugin-host/contracts.js',
        'plugins/checks/demo/demo.check.ts:4 imports ../../alerters/mail/mail.config.js',
        'plugins/checks/demo/demo.check.ts:7 imports ../../../app/http/api-error.js',
        'plugins/checks/demo/demo.check.ts:8 imports ../../../test/peers/certificates.js',
      ],
    );
    assert.deepEqual(
      violations('plugins/checks/demo/demo.check.spec.ts', plugin).map((problem) => problem.split(' imports ')[0]),
      [
        'plugins/checks/demo/demo.check.spec.ts:2',
        'plugins/checks/demo/demo.check.spec.ts:3',
        'plugins/checks/demo/demo.check.spec.ts:4',
        'plugins/checks/demo/demo.check.spec.ts:7',
      ],
      'a spec may use test/ and the testing entry, nothing more',
    );
    assert.deepEqual(
      violations(
        'app/monitors/monitor.service.ts',
        "import { HttpConfig } from '../../plugins/checks/http/http.config.js';\nimport x from '../../test/support/ports.js';",
      ).length,
      2,
    );
  });
});
