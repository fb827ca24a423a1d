import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServiceRecord } from './service-record.js';

describe('ServiceRecord beats', () => {
  it('records beats at least 1 s apart and returns the interval since the previous one', () => {
    const service = new ServiceRecord('job', 0);
    assert.equal(service.recordBeat(10_000), -1);
    assert.equal(service.recordBeat(10_500), 500);
    assert.equal(service.recordBeat(20_000), 9500);
    assert.deepEqual(service.beats, [10_000, 20_000]);
    assert.equal(service.lastBeat, 20_000);
  });

  it('puts a beat that arrives late (taken by another server) in its place, never moving the last beat back', () => {
    const service = new ServiceRecord('job', 0);
    service.recordBeat(10_000);
    service.recordBeat(30_000);
    assert.equal(service.recordBeat(20_000), 10_000, 'the interval to the nearest beat');
    assert.deepEqual(service.beats, [10_000, 20_000, 30_000]);
    assert.equal(service.lastBeat, 30_000);
    service.recordBeat(29_500);
    assert.deepEqual(service.beats, [10_000, 20_000, 30_000], 'within 1 s of a recorded beat: not recorded');
    assert.deepEqual(service.intervals(), [10_000, 10_000]);
  });

  it('applying the same beat twice changes nothing', () => {
    const service = new ServiceRecord('job', 0);
    service.recordBeat(10_000);
    service.recordBeat(20_000);
    service.recordBeat(20_000);
    assert.deepEqual(service.beats, [10_000, 20_000]);
  });

  it('takes the saved fields of the deciding server, keeping a newer beat it has seen itself', () => {
    const mine = new ServiceRecord('job', 0);
    mine.recordBeat(50_000);
    const theirs = new ServiceRecord('job', 0);
    theirs.recordBeat(40_000);
    theirs.timeoutMs = 60_000;
    theirs.state = 'ok';
    mine.assign(theirs.toEntity());
    assert.equal(mine.state, 'ok');
    assert.equal(mine.timeoutMs, 60_000);
    assert.equal(mine.lastBeat, 50_000);
  });
});
