import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aggregateStatus, freshStatus, staleAfterMs } from './aggregate-status.js';

describe('aggregate status (SPEC §3 multi-source)', () => {
  it("follows the seed's example: Public down and two pollers up is a warning", () => {
    assert.equal(aggregateStatus(['down', 'up', 'up']), 'warning');
  });

  it('is up when all are up, down when all are down, a warning for any warning without down', () => {
    assert.equal(aggregateStatus(['up']), 'up');
    assert.equal(aggregateStatus(['up', 'up', 'up']), 'up');
    assert.equal(aggregateStatus(['down', 'down']), 'down');
    assert.equal(aggregateStatus(['up', 'warning']), 'warning');
    assert.equal(aggregateStatus(['warning', 'warning']), 'warning');
    assert.equal(aggregateStatus(['down', 'warning']), 'warning');
  });

  it('leaves unknown sources out; all unknown is pending', () => {
    assert.equal(aggregateStatus(['down', 'unknown', 'unknown']), 'down');
    assert.equal(aggregateStatus(['unknown', 'up']), 'up');
    assert.equal(aggregateStatus(['unknown', 'unknown']), 'pending');
    assert.equal(aggregateStatus([]), 'pending');
  });

  it('with a quorum, is down only when at least that many sources are down', () => {
    assert.equal(aggregateStatus(['down', 'up', 'up'], 2), 'warning');
    assert.equal(aggregateStatus(['down', 'down', 'up'], 2), 'down');
    assert.equal(aggregateStatus(['down', 'down', 'down'], 2), 'down');
    assert.equal(aggregateStatus(['down', 'unknown', 'unknown'], 2), 'warning', 'one known down source is below the quorum');
    assert.equal(aggregateStatus(['up', 'up'], 2), 'up');
    assert.equal(aggregateStatus(['warning', 'up'], 2), 'warning');
  });

  it('treats a result older than two intervals and 30 s as unknown', () => {
    const now = 1_000_000_000;
    assert.equal(staleAfterMs(60_000), 150_000);
    assert.equal(freshStatus({ status: 'up', checkedAt: now - 150_000 }, 60_000, now), 'up');
    assert.equal(freshStatus({ status: 'up', checkedAt: now - 150_001 }, 60_000, now), 'unknown');
    assert.equal(freshStatus(undefined, 60_000, now), 'unknown');
  });
});
