import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOnce } from './load-once.js';

describe('loadOnce', () => {
  it('loads once and hands the same module to every caller', async () => {
    let loads = 0;
    const load = loadOnce(async () => ({ id: ++loads }));
    const [a, b] = await Promise.all([load(), load()]);
    assert.equal(a, b);
    assert.equal((await load()).id, 1);
    assert.equal(loads, 1);
  });

  it('tries again after a failed load', async () => {
    let attempts = 0;
    const load = loadOnce(async () => {
      attempts++;
      if (attempts === 1) throw new Error('Cannot find package');
      return 'loaded';
    });
    await assert.rejects(load(), /Cannot find package/);
    assert.equal(await load(), 'loaded');
  });
});
