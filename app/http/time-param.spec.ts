import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTimeParam } from './time-param.js';

describe('parseTimeParam', () => {
  it('reads ISO 8601 times and epoch milliseconds', () => {
    assert.equal(parseTimeParam('2026-11-22T12:00:00Z'), Date.UTC(2026, 10, 22, 12));
    assert.equal(parseTimeParam('2026-11-22T13:00:00+01:00'), Date.UTC(2026, 10, 22, 12));
    assert.equal(parseTimeParam('2026-11-22'), Date.UTC(2026, 10, 22));
    assert.equal(parseTimeParam('2024-02-29'), Date.UTC(2024, 1, 29));
    assert.equal(parseTimeParam('1763812800000'), 1763812800000);
  });

  it('refuses times that do not exist', () => {
    for (const text of [
      '2026-99-99',
      '2026-02-29',
      '2026-02-31',
      '2026-00-10',
      '2026-11-22T25:00:00Z',
      '2026-11-22T12:60Z',
      '2026-11-22T12:00:61Z',
      '2026-11-22T12:00+24:00',
      '9999999999999999',
      'yesterday',
      '',
    ]) {
      assert.equal(parseTimeParam(text), null, text);
    }
  });
});
