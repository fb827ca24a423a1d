import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, INVALID_REASONS, StatsdNameTable, type StatsdBatch } from './statsd-batch.js';
import { StatsdReceiver, type ReceiverSettings } from './statsd-receiver.js';

const SENDER = { address: '192.0.2.7', port: 40123 };

function receiver(settings: Partial<ReceiverSettings> = {}) {
  const batches: StatsdBatch[] = [];
  let applied = 0;
  const instance = new StatsdReceiver(
    { transport: 'udp', trustedSources: null, debug: true, maxNames: 1000, ...settings },
    (batch) => batches.push(batch),
    () => applied,
  );
  const table = new StatsdNameTable();
  /** What the engine would apply, and the batches' counts. */
  const drain = () => {
    instance.flush();
    const lines: string[] = [];
    const invalid: Record<string, number> = {};
    const debug: string[] = [];
    let untrusted = 0;
    let overloaded = 0;
    for (const batch of batches.splice(0)) {
      table.update(batch);
      for (let index = 0; index < batch.commands.length; index++)
        lines.push(`${table.name(batch.ids[index]!)}.${COMMANDS[batch.commands[index]!]}:${batch.values[index]}`);
      batch.invalid?.forEach((count, code) => count > 0 && (invalid[INVALID_REASONS[code]!] = count));
      debug.push(...(batch.debug ?? []));
      untrusted += batch.untrusted;
      overloaded += batch.overloaded;
    }
    return { lines, invalid, debug, untrusted, overloaded };
  };
  return { instance, drain, catchUp: () => (applied = instance.batch.posted) };
}

describe('StatsdReceiver', () => {
  it("takes a datagram's lines in order, skipping bad ones counted by reason and logged with the sender", () => {
    const { instance, drain } = receiver();
    instance.datagram('a.start:1|c\r\ngarbage\na.timeout:60|g\n\na.beat:oops|c\na.fail:1|c\n', SENDER);
    const { lines, invalid, debug } = drain();
    assert.deepEqual(lines, ['a.start:1', 'a.timeout:60000', 'a.fail:1']);
    assert.deepEqual(invalid, { syntax: 1, value: 1 });
    assert.deepEqual(debug, [
      'skipped statsd line from 192.0.2.7:40123 over udp: expected "<service>.<command>:<value>|<type>": "garbage"',
      'skipped statsd line from 192.0.2.7:40123 over udp: value must be a number, not "oops": "a.beat:oops|c"',
    ]);
  });

  it('makes no debug lines unless debug logging is on, and shortens long lines in them', () => {
    const quiet = receiver({ debug: false });
    quiet.instance.datagram('garbage\n', SENDER);
    assert.deepEqual(quiet.drain().debug, []);
    const chatty = receiver({ transport: 'tcp' });
    chatty.instance.line('x'.repeat(500), { address: '2001:db8::1', port: 9 });
    assert.match(chatty.drain().debug[0]!, /^skipped statsd line from \[2001:db8::1\]:9 over tcp: .*"x{120}"… \(500 bytes\)$/);
  });

  it('refuses senders outside trusted_sources, counted and logged', () => {
    const { instance, drain } = receiver({ trustedSources: ['127.0.0.0/8'] });
    assert.equal(instance.admits('127.0.0.1'), true);
    assert.equal(instance.admits('192.0.2.7'), false);
    const { untrusted, debug } = drain();
    assert.equal(untrusted, 1);
    assert.deepEqual(debug, ['refused statsd datagram from 192.0.2.7: not in [statsd] trusted_sources ([heartbeat] require_token = true)']);
  });

  it('drops and counts UDP lines while the engine is more than backlogLimit lines behind, and takes them again once it catches up', () => {
    const { instance, drain, catchUp } = receiver({ backlogLimit: 5 });
    const datagram = (from: number) => Array.from({ length: 4 }, (_, index) => `s${from + index}.beat:1|c`).join('\n');
    instance.datagram(datagram(0), SENDER);
    instance.flush();
    instance.datagram(datagram(4), SENDER);
    instance.flush();
    assert.equal(instance.backlog, 8);
    instance.datagram(datagram(8), SENDER);
    const behind = drain();
    assert.equal(behind.lines.length, 8);
    assert.equal(behind.overloaded, 4, 'the third datagram came while 8 lines were waiting');
    catchUp();
    instance.datagram(datagram(12), SENDER);
    const after = drain();
    assert.deepEqual(after.lines, ['s12.beat:1', 's13.beat:1', 's14.beat:1', 's15.beat:1']);
    assert.equal(after.overloaded, 0);
  });
});
