import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Poller } from './poller.entity.js';
import type { LivePoller } from './poller-registry.service.js';
import { activeSourceChoices, pollerView } from './poller.views.js';

const NOW = Date.UTC(2026, 10, 22, 12);

function live(id: number, name: string, lastSeenAt: number | null, changes: Partial<Poller> = {}): LivePoller {
  const poller: Poller = {
    id,
    name,
    location: `loc ${id}`,
    tokenId: 100 + id,
    version: '0.1.0',
    alerts: [],
    offline: false,
    lastSeenAt,
    stateChangedAt: null,
    outboxQueued: 0,
    outboxDropped: 0,
    outboxReportedAt: null,
    createdAt: NOW - 86_400_000,
    updatedAt: NOW - 86_400_000,
    ...changes,
  };
  return { poller, lastSeenAt };
}

describe('poller views', () => {
  it('show the judged state, whether it is active, when it was last heard from and its outbox figures', () => {
    const view = pollerView(
      live(3, 'Frankfurt Office', NOW - 95_000, { offline: true, stateChangedAt: NOW - 4000, outboxQueued: 1240, outboxDropped: 7 }),
      12,
      NOW,
    );
    assert.deepEqual(
      {
        state: view.state,
        active: view.active,
        last_seen_at: view.last_seen_at,
        monitors: view.monitors,
        outbox: view.outbox,
        version: view.version,
      },
      {
        state: 'offline',
        active: false,
        last_seen_at: new Date(NOW - 95_000).toISOString(),
        monitors: 12,
        outbox: { queued: 1240, dropped: 7, reported_at: null },
        version: '0.1.0',
      },
    );
    assert.equal(pollerView(live(4, 'Ludwigsburg', NOW - 90_000), 0, NOW).active, true, 'heard from 90 s ago is still active');
  });

  it("offer only pollers heard from within 90 s as a monitor's sources, by name", () => {
    const pollers = [
      live(1, 'Zurich', NOW - 1000),
      live(2, 'Ludwigsburg', NOW - 89_000),
      live(3, 'Frankfurt Office', NOW - 91_000),
      live(4, 'Never heard from', null),
      live(5, 'Berlin', NOW),
    ];
    assert.deepEqual(activeSourceChoices(pollers, NOW), [
      { id: 5, source: 'poller:5', name: 'Berlin', location: 'loc 5' },
      { id: 2, source: 'poller:2', name: 'Ludwigsburg', location: 'loc 2' },
      { id: 1, source: 'poller:1', name: 'Zurich', location: 'loc 1' },
    ]);
  });
});
