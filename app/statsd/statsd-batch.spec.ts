import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, INVALID_REASONS, StatsdBatchBuilder, StatsdNameTable, type StatsdBatch } from './statsd-batch.js';
import type { StatsdCommand } from './statsd-line.js';

type Line = [string, StatsdCommand, number];

/** A builder whose batches are collected, and the engine side's reading of them. */
function pipe(capacity: number, maxNames: number) {
  const batches: StatsdBatch[] = [];
  const builder = new StatsdBatchBuilder((batch) => batches.push(batch), capacity, maxNames);
  const table = new StatsdNameTable();
  const decoded: Line[] = [];
  const read = () => {
    for (const batch of batches.splice(0)) {
      table.update(batch);
      for (let index = 0; index < batch.commands.length; index++)
        decoded.push([table.name(batch.ids[index]!), COMMANDS[batch.commands[index]!]!, batch.values[index]!]);
    }
    return decoded;
  };
  return { builder, batches, read };
}

describe('statsd batches', () => {
  it('hand over lines in arrival order across batch boundaries, each name sent once', () => {
    const { builder, batches, read } = pipe(4, 1000);
    const input: Line[] = [
      ['job', 'start', 1],
      ['job', 'beat', 1],
      ['other', 'timeout', 60_000],
      ['job', 'fail', 1],
      ['job', 'beat', 1],
      ['other', 'min_interval', 5000],
      ['third', 'autobeat', 1],
      ['job', 'timeout', -1],
      ['other', 'beat', 3],
      ['third', 'beat', 1],
    ];
    for (const [service, command, value] of input) builder.add(service, command, value);
    assert.equal(batches.length, 2, 'two full batches of four went at once');
    builder.flush();
    const sentNames = batches.flatMap((batch) => batch.names);
    assert.deepEqual(read(), input);
    assert.deepEqual(sentNames, ['job', 'other', 'third']);
    assert.equal(builder.posted, input.length);
  });

  it('start the numbering over when the table is full, never mixing old and new numbers in one batch', () => {
    const { builder, batches, read } = pipe(100, 3);
    const input: Line[] = ['a', 'b', 'c', 'a', 'd', 'a', 'e', 'b'].map((name) => [name, 'beat', 1]);
    for (const [service, command, value] of input) builder.add(service, command, value);
    builder.flush();
    assert.deepEqual(
      batches.map((batch) => batch.reset),
      [false, true, true],
    );
    assert.deepEqual(read(), input);
  });

  it('carry counts and debug lines, and nothing when nothing happened', () => {
    const { builder, batches } = pipe(100, 100);
    builder.flush();
    assert.equal(batches.length, 0);
    builder.skip('syntax');
    builder.skip('syntax');
    builder.skip('too_long');
    builder.refuseUntrusted();
    builder.refuseConnection('max_connections_per_source');
    builder.overload(7);
    builder.log('skipped something');
    builder.flush();
    const [batch] = batches;
    assert.equal(batch!.commands.length, 0);
    assert.equal(batch!.invalid![INVALID_REASONS.indexOf('syntax')], 2);
    assert.equal(batch!.invalid![INVALID_REASONS.indexOf('too_long')], 1);
    assert.equal(batch!.untrusted, 1);
    assert.deepEqual(batch!.refusedConnections, { max_connections_per_source: 1 });
    assert.equal(batch!.overloaded, 7);
    assert.deepEqual(batch!.debug, ['skipped something']);
    builder.flush();
    assert.equal(batches.length, 1, 'the counts went with the batch and start again from nothing');
  });
});
