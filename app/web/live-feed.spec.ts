import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LiveFeed, type LiveEvent } from './live-feed.js';

function manualFeed(capacity = 100) {
  const timers: (() => void)[] = [];
  const feed = new LiveFeed({
    capacity,
    coalesceMs: 250,
    runId: 'abc123',
    setTimer: (fn) => timers.push(fn),
    clearTimer: () => undefined,
  });
  const tick = () => timers.splice(0).forEach((fn) => fn());
  return { feed, tick };
}

describe('LiveFeed', () => {
  it('coalesces a burst of changes of one topic into one event listing the ids', () => {
    const { feed, tick } = manualFeed();
    const seen: LiveEvent[] = [];
    feed.subscribe((event) => seen.push(event));
    feed.publish('monitors', 3);
    feed.publish('monitors', 4);
    feed.publish('monitors', 3);
    feed.publish('heartbeats');
    assert.equal(seen.length, 0, 'nothing before the window closes');
    tick();
    assert.deepEqual(seen, [
      { id: 'abc123-1', topic: 'monitors', data: '{"changes":3,"ids":[3,4]}' },
      { id: 'abc123-2', topic: 'heartbeats', data: '{"changes":1,"ids":[]}' },
    ]);
  });

  it('says "many" instead of listing more than 500 ids', () => {
    const { feed, tick } = manualFeed();
    const seen: LiveEvent[] = [];
    feed.subscribe((event) => seen.push(event));
    for (let id = 1; id <= 500; id++) feed.publish('monitors', id);
    tick();
    assert.equal(JSON.parse(seen[0]!.data).ids.length, 500);
    for (let id = 1; id <= 501; id++) feed.publish('monitors', id);
    tick();
    assert.deepEqual(JSON.parse(seen[1]!.data), { changes: 501, ids: null });
  });

  it('replays what a reconnecting client missed, and tells it to reload when that is gone or from another run', () => {
    const { feed, tick } = manualFeed(3);
    const start = feed.cursor();
    assert.equal(start, 'abc123-0');
    for (const topic of ['a', 'b', 'c', 'd']) {
      feed.publish(topic);
      tick();
    }
    assert.deepEqual('events' in feed.replaySince('abc123-2') ? feed.replaySince('abc123-2') : null, {
      events: [
        { id: 'abc123-3', topic: 'c', data: '{"changes":1,"ids":[]}' },
        { id: 'abc123-4', topic: 'd', data: '{"changes":1,"ids":[]}' },
      ],
    });
    assert.deepEqual(
      feed.replaySince('abc123-1'),
      {
        events: [
          { id: 'abc123-2', topic: 'b', data: '{"changes":1,"ids":[]}' },
          { id: 'abc123-3', topic: 'c', data: '{"changes":1,"ids":[]}' },
          { id: 'abc123-4', topic: 'd', data: '{"changes":1,"ids":[]}' },
        ],
      },
      'the oldest kept event is still in reach',
    );
    assert.deepEqual(feed.replaySince(start), { reload: true }, 'event 1 fell out of the buffer');
    assert.deepEqual(feed.replaySince('abc123-4'), { events: [] });
    assert.deepEqual(feed.replaySince('ffff-2'), { reload: true }, 'an id from an earlier run');
    assert.deepEqual(feed.replaySince('abc123-99'), { reload: true });
    assert.deepEqual(feed.replaySince('garbage'), { reload: true });
  });

  it('stops sending to a subscriber that left', () => {
    const { feed, tick } = manualFeed();
    const seen: string[] = [];
    const leave = feed.subscribe((event) => seen.push(event.topic));
    feed.publish('a');
    tick();
    leave();
    feed.publish('b');
    tick();
    assert.deepEqual(seen, ['a']);
    assert.equal(feed.subscriberCount, 0);
  });
});
