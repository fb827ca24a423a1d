import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceDirectory } from './service-directory.js';
import { ServiceRecord } from './service-record.js';

describe('ServiceDirectory', () => {
  const add = (directory: ServiceDirectory, ...names: string[]) => names.forEach((name) => directory.add(new ServiceRecord(name, 0)));

  it('keeps every name in code-unit order through adds, deletes and re-adds', () => {
    const directory = new ServiceDirectory();
    const alive = new Set<string>();
    let seed = 7;
    const random = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    for (let round = 0; round < 200; round++) {
      for (let step = 0; step < 20; step++) {
        const name = `svc.${Math.floor(random() * 300)}`;
        if (alive.has(name) && random() < 0.5) {
          directory.delete(name);
          alive.delete(name);
        } else if (!alive.has(name)) {
          add(directory, name);
          alive.add(name);
        }
      }
      const expected = [...alive].sort();
      const names = (services: Iterable<{ name: string }>) => [...services].map((service) => service.name);
      assert.deepEqual(names(directory.inOrder()), expected, `round ${round}: walking`);
      assert.deepEqual(names(directory.inOrder(true)), [...expected].reverse(), `round ${round}: walking backwards`);
      assert.deepEqual(names(directory.slice(10, 5, true)), [...expected].reverse().slice(10, 15), `round ${round}: a page`);
      if (round % 3 === 0) assert.deepEqual(directory.sortedNames(), expected, `round ${round}: rebuilt`);
    }
    assert.deepEqual(directory.sortedNames(), [...alive].sort());
    assert.equal(directory.size, alive.size);
  });

  it('hands the same order out again while nothing changed', () => {
    const directory = new ServiceDirectory();
    add(directory, 'b', 'a', 'C');
    const first = directory.sortedNames();
    assert.deepEqual(first, ['C', 'a', 'b']);
    assert.equal(directory.sortedNames(), first);
  });

  it('is a read-only map of the services for everyone else', () => {
    const directory = new ServiceDirectory();
    add(directory, 'x');
    const view: ReadonlyMap<string, { readonly name: string }> = directory;
    assert.deepEqual([...view.keys()], ['x']);
    assert.equal(view.get('x')!.name, 'x');
    assert.equal('set' in view, false);
  });
});
