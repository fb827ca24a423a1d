import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertHeadline } from '../plugin-host/alert-text.js';
import { pollerAlertEvent } from './poller-alert-policy.js';

const T0 = Date.UTC(2026, 10, 22, 12);
const change = {
  pollerId: 3,
  name: 'Frankfurt Office',
  location: 'FFM',
  from: 'online' as const,
  to: 'offline' as const,
  at: T0 + 95_000,
  since: T0 - 3_600_000,
  lastSeenAt: T0,
  alerts: [],
};

describe('poller alerts', () => {
  it('say "poller <name> offline" with when it was last heard from', () => {
    const event = pollerAlertEvent(change, 'https://pulse.example.com/pollers/3');
    assert.equal(alertHeadline(event), 'poller Frankfurt Office is OFFLINE');
    assert.deepEqual([event.kind, event.id, event.recovered, event.url], ['poller', '3', false, 'https://pulse.example.com/pollers/3']);
    assert.equal(
      event.message,
      'poller Frankfurt Office offline: not heard from since 2026-11-22 12:00:00 UTC (more than 90 s); the monitors it checks show its source as unknown',
    );
  });

  it('and when it is back, a recovery', () => {
    const event = pollerAlertEvent({ ...change, from: 'offline', to: 'online', since: T0 + 95_000, at: T0 + 95_000 + 10 * 60_000 }, null);
    assert.equal(alertHeadline(event), 'poller Frankfurt Office has recovered');
    assert.equal(event.message, 'poller Frankfurt Office back online after 10 min');
    assert.equal(event.recovered, true);
  });
});
