import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDateTime, formatDuration, formatLatency, pluralize, relativeTime, stateView } from './view-helpers.js';

describe('view helpers', () => {
  it('write dates in UTC, one way', () => {
    assert.equal(formatDateTime(Date.UTC(2026, 11, 1, 7, 5)), '2026-12-01 07:05 UTC');
    assert.equal(formatDateTime(null), '—');
  });

  it('say how long ago or how far ahead', () => {
    const now = Date.UTC(2026, 0, 10);
    assert.equal(relativeTime(now - 10_000, now), 'just now');
    assert.equal(relativeTime(now - 5 * 60_000, now), '5 min ago');
    assert.equal(relativeTime(now - 3 * 3_600_000, now), '3 h ago');
    assert.equal(relativeTime(now - 86_400_000, now), '1 day ago');
    assert.equal(relativeTime(now + 29 * 86_400_000, now), 'in 29 days');
    assert.equal(relativeTime(null, now), 'never');
  });

  it('format durations from milliseconds to days', () => {
    assert.equal(formatDuration(250), '250 ms');
    assert.equal(formatDuration(1234), '1.2 s');
    assert.equal(formatDuration(45_000), '45 s');
    assert.equal(formatDuration(5 * 60_000), '5 min');
    assert.equal(formatDuration(3 * 3_600_000 + 20 * 60_000), '3 h 20 min');
    assert.equal(formatDuration(2 * 86_400_000 + 4 * 3_600_000), '2 d 4 h');
    assert.equal(formatDuration(null), '—');
  });

  it('format latencies with the digits that tell, a loopback ping never as 0 ms', () => {
    assert.equal(formatLatency(0.043), '0.04 ms');
    assert.equal(formatLatency(0.001), '0.01 ms');
    assert.equal(formatLatency(1.64), '1.6 ms');
    assert.equal(formatLatency(38.4), '38 ms');
    assert.equal(formatLatency(1520.2), '1520 ms');
    assert.equal(formatLatency(null), '—');
  });

  it('pluralize', () => {
    assert.equal(pluralize(1, 'token'), '1 token');
    assert.equal(pluralize(0, 'token'), '0 tokens');
    assert.equal(pluralize(2, 'entry', 'entries'), '2 entries');
  });

  it('give every state a word as well as a tone', () => {
    assert.deepEqual(stateView('down'), { label: 'Down', tone: 'bad' });
    assert.deepEqual(stateView('revoked'), { label: 'Revoked', tone: 'idle' });
    assert.deepEqual(stateView('frobnicated'), { label: 'Frobnicated', tone: 'info' });
  });
});
