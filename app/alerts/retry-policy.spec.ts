import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextAttemptAt } from './retry-policy.js';

describe('alert retry policy', () => {
  const created = 1_000_000;
  const tenMinutes = 10 * 60_000;

  it('backs off 5 s, 10 s, 20 s … up to 5 min between tries', () => {
    assert.equal(nextAttemptAt(1, created, created, tenMinutes), created + 5_000);
    assert.equal(nextAttemptAt(2, created, created + 5_000, tenMinutes), created + 15_000);
    assert.equal(nextAttemptAt(3, created, created + 15_000, tenMinutes), created + 35_000);
    assert.equal(nextAttemptAt(10, created, created, 24 * 60 * 60_000), created + 5 * 60_000);
  });

  it('gives up when the next try would fall outside the retry period', () => {
    assert.equal(nextAttemptAt(1, created, created + tenMinutes - 5_000, tenMinutes), created + tenMinutes);
    assert.equal(nextAttemptAt(1, created, created + tenMinutes - 4_999, tenMinutes), null);
    let now = created;
    let attempts = 0;
    for (;;) {
      attempts++;
      const next = nextAttemptAt(attempts, created, now, tenMinutes);
      if (next === null) break;
      now = next;
    }
    assert.ok(
      now <= created + tenMinutes && attempts >= 6,
      `${attempts} tries within ten minutes, the last at +${(now - created) / 1000} s`,
    );
  });
});
