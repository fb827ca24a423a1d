import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AlertEvent } from '../plugin-host/contracts.js';
import { alertEventKey } from './event-key.js';

const event = (overrides: Partial<AlertEvent> = {}): AlertEvent => ({
  kind: 'alarm',
  id: 'db',
  name: 'db',
  fromState: 'ok',
  toState: 'error',
  recovered: false,
  incidentNumber: 4,
  message: '1 service(s) in error: db.backup',
  url: null,
  at: 2_000_000,
  since: 1_000_000,
  ...overrides,
});

describe('alertEventKey', () => {
  it('is the same for the same change judged again later, by another server, in other words', () => {
    assert.equal(alertEventKey(event()), alertEventKey(event({ at: 2_000_900, message: '2 service(s) in error: …' })));
  });

  it('differs for another thing, another state entered, or a state left that began at another time', () => {
    const key = alertEventKey(event());
    assert.notEqual(alertEventKey(event({ id: 'web', name: 'web' })), key);
    assert.notEqual(alertEventKey(event({ kind: 'monitor' })), key);
    assert.notEqual(alertEventKey(event({ toState: 'ok', fromState: 'error' })), key);
    assert.notEqual(alertEventKey(event({ since: 1_500_000 })), key, 'the next incident of the same alarm');
  });

  it('gives tests and digests none (each is its own alert)', () => {
    assert.equal(alertEventKey(event({ kind: 'test' })), null);
    assert.equal(alertEventKey(event({ kind: 'digest' })), null);
  });
});
