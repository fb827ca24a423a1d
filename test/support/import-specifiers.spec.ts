import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importSpecifiers } from './import-specifiers.js';

const specifiers = (source: string) => importSpecifiers(source).map((found) => found.specifier);

describe('import specifiers (for the boundary contract)', () => {
  it('finds every form of import and re-export', () => {
    const source = [
      "import 'reflect-metadata';",
      "import x from './default.js';",
      "import * as all from './namespace.js';",
      "import type { Only } from '../types.js';",
      'import {',
      '  a,',
      '  type B,',
      "} from '../../app/monitors/monitor.service.js';",
      'import def, { named as alias } from "./double.js";',
      "export { thing } from './re-export.js';",
      "export * from './star.js';",
      "export type { T } from './type-export.js';",
      "const lazy = loadOnce(() => import('net-snmp').then((module) => module.default));",
      "const mod = await import(\n  './multi-line.js'\n);",
      "const cjs = require('legacy');",
      'const computed = await import(pathToFileURL(file).href);',
    ].join('\n');
    assert.deepEqual(specifiers(source), [
      'reflect-metadata',
      './default.js',
      './namespace.js',
      '../types.js',
      '../../app/monitors/monitor.service.js',
      './double.js',
      './re-export.js',
      './star.js',
      './type-export.js',
      'net-snmp',
      './multi-line.js',
      'legacy',
      null,
    ]);
    assert.deepEqual(
      importSpecifiers(source).map((found) => found.line),
      [1, 2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 17, 18],
    );
  });

  it('is not fooled by comments, strings, regular expressions or templates', () => {
    const source = [
      "/** e.g. `import x from './in-doc-comment.js'` */",
      "// import y from './in-line-comment.js';",
      "const glob = 'app/**'; // a '/*' in a string opens no comment",
      "const re = /['\"]import\\('x'\\)/;",
      "const text = `import z from './in-template.js' ${value} import('./also-template.js')`;",
      'const ratio = a / b / c;',
      "export const meta = { import: true, 'import': 1 };",
      "const real = await import('./after-all-that.js');",
    ].join('\n');
    assert.deepEqual(specifiers(source), ['./after-all-that.js']);
  });
});
