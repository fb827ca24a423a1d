import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globVariables, ServiceGlob } from './service-glob.js';

/** A small seeded generator, so a failure names a case that can be run again. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What Lovebeat did (Go's regexp, whose leftmost-first choices equal a backtracking engine's): `*` → `.*`,
 * each `$var` → its own `([^.]+)`. Only for the short inputs below, where backtracking is harmless.
 */
function reference(pattern: string, name: string): Record<string, string> | null {
  const names: string[] = [];
  let source = '';
  for (let index = 0; index < pattern.length;) {
    const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(pattern.slice(index));
    if (pattern[index] === '*') {
      source += '.*';
      index++;
    } else if (variable) {
      source += '([^.]+)';
      names.push(variable[1]!);
      index += variable[0].length;
    } else {
      source += pattern[index]!.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      index++;
    }
  }
  const match = new RegExp(`^${source}$`).exec(name);
  if (!match) return null;
  const values: Record<string, string> = {};
  for (const [index, variable] of names.entries()) {
    if (variable in values && values[variable] !== match[index + 1]) return null;
    values[variable] = match[index + 1]!;
  }
  return values;
}

describe('ServiceGlob', () => {
  it('matches literally except for "*" (any text) and "$var" (non-dot characters)', () => {
    assert.equal(new ServiceGlob('backup.*').test('backup.db.nightly'), true);
    assert.equal(new ServiceGlob('backup.*').test('backupxdb'), false, 'the dot is literal');
    assert.equal(new ServiceGlob('*.prod').test('a.b.prod'), true);
    assert.equal(new ServiceGlob('*.prod').test('a.b.production'), false, 'anchored at the end');
    assert.equal(new ServiceGlob('a*b*c').test('abc'), true);
    assert.equal(new ServiceGlob('a*b*c').test('acb'), false);
    assert.equal(new ServiceGlob('a+b(c)[d]').test('a+b(c)[d]'), true, 'regexp characters are plain characters');
    assert.equal(new ServiceGlob('cost$').test('cost$'), true, 'a lone $ is a character');
    assert.deepEqual({ ...new ServiceGlob('app.$name.*').match('app.shop.worker.1') }, { name: 'shop' });
    assert.equal(new ServiceGlob('app.$name.*').match('app..worker'), null, 'a variable takes at least one character');
    assert.deepEqual(
      { ...new ServiceGlob('$a-$b.beat').match('one-two-three.beat') },
      { a: 'one-two', b: 'three' },
      'earlier ones take more',
    );
    assert.deepEqual({ ...new ServiceGlob('$constructor.$constructor').match('x.x') }, { constructor: 'x' });
    assert.equal(new ServiceGlob('$a.$a').match('one.two'), null, 'a repeated variable repeats its value');
    assert.deepEqual(globVariables('server-$name.$env.$name'), ['name', 'env']);
  });

  it("gives the same answers and values as Lovebeat's regular expressions on 20,000 random cases", () => {
    const next = random(8);
    const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
    const parts = ['a', 'b', '.', 'ab', 'a.', '-', '*', '*', '$x', '$y', '$z'];
    for (let round = 0; round < 20_000; round++) {
      const pattern = Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(parts)).join('');
      const name = Array.from({ length: Math.floor(next() * 12) }, () => pick(['a', 'b', '.', '-'])).join('');
      const expected = reference(pattern, name);
      const glob = new ServiceGlob(pattern);
      const got = glob.match(name);
      assert.deepEqual(got === null ? null : { ...got }, expected, `pattern ${JSON.stringify(pattern)}, name ${JSON.stringify(name)}`);
      assert.equal(glob.test(name), expected !== null, `test(): pattern ${JSON.stringify(pattern)}, name ${JSON.stringify(name)}`);
    }
  });
});
