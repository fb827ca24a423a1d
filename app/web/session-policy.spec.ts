import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SESSION_IDLE_MS, SESSION_MAX_AGE_MS, sessionExpiry, shouldRecordActivity } from './session-policy.js';

const HOUR = 60 * 60 * 1000;

describe('console session expiry', () => {
  it('ends a session after 12 hours without a request', () => {
    const session = { createdAt: 0, lastSeenAt: 5 * HOUR };
    assert.equal(sessionExpiry(session, 5 * HOUR + SESSION_IDLE_MS - 1), null);
    assert.equal(sessionExpiry(session, 5 * HOUR + SESSION_IDLE_MS), 'idle');
  });

  it('ends a session 7 days after sign-in however busy it is', () => {
    const session = { createdAt: 0, lastSeenAt: SESSION_MAX_AGE_MS - 1 };
    assert.equal(sessionExpiry(session, SESSION_MAX_AGE_MS - 1), null);
    assert.equal(sessionExpiry(session, SESSION_MAX_AGE_MS), 'absolute');
  });

  it('records activity at most once a minute', () => {
    assert.equal(shouldRecordActivity(1_000, 30_000), false);
    assert.equal(shouldRecordActivity(1_000, 61_000), true);
  });
});
