import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { serverState } from './server-state.js';

describe('serverState', () => {
  const alive = { stopped: false, sessionAlive: true, silentForMs: 1500, fenced: false };

  it('is active while its session holds and it renews', () => {
    assert.equal(serverState(alive, 10_000), 'active');
  });

  it('is unreachable once its connection is gone, or after a lease without renewal', () => {
    assert.equal(serverState({ ...alive, sessionAlive: false }, 10_000), 'unreachable');
    assert.equal(serverState({ ...alive, silentForMs: 10_000 }, 10_000), 'unreachable');
  });

  it('is fenced when it says so and is still there; stopped when it said goodbye', () => {
    assert.equal(serverState({ ...alive, fenced: true }, 10_000), 'fenced');
    assert.equal(serverState({ ...alive, stopped: true, sessionAlive: false }, 10_000), 'stopped');
  });
});
