import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ACTIVE_WINDOW_MS, isActive, judgeLiveness, nextLivenessCheck } from './poller-liveness.js';

const T0 = Date.UTC(2026, 10, 22, 12);

describe('poller liveness', () => {
  it('is active when heard from within the last 90 s', () => {
    assert.equal(isActive(T0, T0 + ACTIVE_WINDOW_MS), true);
    assert.equal(isActive(T0, T0 + ACTIVE_WINDOW_MS + 1), false);
    assert.equal(isActive(null, T0), false);
  });

  it('goes offline once silent for more than 90 s, and online as soon as it is heard from', () => {
    const started = T0 - 3_600_000;
    assert.equal(judgeLiveness('online', T0, started, T0 + 90_000), null);
    assert.equal(judgeLiveness('online', T0, started, T0 + 90_001), 'offline');
    assert.equal(judgeLiveness('offline', T0, started, T0 + 200_000), null, 'said once');
    assert.equal(judgeLiveness('offline', T0 + 200_000, started, T0 + 200_000), 'online');
  });

  it('gives every poller 90 s after a server start before judging it (the server was the one away)', () => {
    const started = T0;
    const lastSeen = T0 - 10 * 60_000;
    assert.equal(judgeLiveness('online', lastSeen, started, T0 + 60_000), null);
    assert.equal(nextLivenessCheck(lastSeen, started), T0 + ACTIVE_WINDOW_MS + 1);
    assert.equal(judgeLiveness('online', lastSeen, started, T0 + ACTIVE_WINDOW_MS + 1), 'offline');
  });
});
