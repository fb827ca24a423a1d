import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { forEachLine, isLineError, parseStatsdLine } from './statsd-line.js';

function code(line: string): string | null {
  const result = parseStatsdLine(line);
  return isLineError(result) ? result.code : null;
}

describe('statsd line parser (SPEC §6)', () => {
  it('reads beats, timeouts and autobeats as Lovebeat does', () => {
    assert.deepEqual(parseStatsdLine('invoice.mailer.beat:1|c'), { service: 'invoice.mailer', command: 'beat', value: 1 });
    assert.deepEqual(parseStatsdLine('invoice.mailer.timeout:3600|g'), { service: 'invoice.mailer', command: 'timeout', value: 3_600_000 });
    assert.deepEqual(parseStatsdLine('invoice.mailer.timeout:-1|g'), { service: 'invoice.mailer', command: 'timeout', value: -1 });
    assert.deepEqual(parseStatsdLine('invoice.mailer.timeout:-2|g'), { service: 'invoice.mailer', command: 'timeout', value: -2 });
    assert.deepEqual(parseStatsdLine('invoice.mailer.timeout:1.5|g'), { service: 'invoice.mailer', command: 'timeout', value: 1500 });
    assert.deepEqual(parseStatsdLine('invoice.mailer.autobeat:1|c'), { service: 'invoice.mailer', command: 'autobeat', value: 1 });
    assert.deepEqual(parseStatsdLine('nightly_job-2.start:1|c'), { service: 'nightly_job-2', command: 'start', value: 1 });
    assert.deepEqual(parseStatsdLine('nightly.fail:1|c'), { service: 'nightly', command: 'fail', value: 1 });
    assert.deepEqual(parseStatsdLine('chatty.min_interval:30|g'), { service: 'chatty', command: 'min_interval', value: 30_000 });
  });

  it('ignores the metric type and the sample rate', () => {
    for (const line of ['a.beat:1|c', 'a.beat:1|g', 'a.beat:1|ms', 'a.beat:1|c|@0.1', 'a.beat:0|c|@1']) {
      assert.equal(code(line), null, line);
      assert.equal((parseStatsdLine(line) as { command: string }).command, 'beat');
    }
    assert.deepEqual(parseStatsdLine('a.timeout:60|c'), { service: 'a', command: 'timeout', value: 60_000 });
  });

  it('accepts names of 1 to 255 characters of A-Z a-z 0-9 . _ -', () => {
    assert.equal(code(`${'n'.repeat(255)}.beat:1|c`), null);
    assert.equal(code('x.beat:1|c'), null);
    assert.equal(code(`${'n'.repeat(256)}.beat:1|c`), 'name');
    assert.equal(code('bad name.beat:1|c'), 'name');
    assert.equal(code('nul\0byte.beat:1|c'), 'name');
    assert.equal(code('ünïcode.beat:1|c'), 'name');
    assert.equal(code('..beat:1|c'), 'name', 'the service "." is unreachable by URL');
    assert.equal(code('...beat:1|c'), 'name', 'and so is ".."');
    assert.equal(code('....beat:1|c'), null, '"..." is an ordinary name');
  });

  it('names what is wrong with a bad line', () => {
    const cases: [string, string][] = [
      ['garbage', 'syntax'],
      [':1|c', 'syntax'],
      ['beat:1|c', 'syntax'],
      ['a.beat:1', 'syntax'],
      ['a.beat:1|c|@0.1|extra', 'syntax'],
      ['a.ping:1|c', 'command'],
      ['a.beat:one|c', 'value'],
      ['a.beat:-1|c', 'value'],
      ['a.beat:|c', 'value'],
      ['a.beat:1e3|c', 'value'],
      ['a.timeout:0|g', 'value'],
      ['a.timeout:-3|g', 'value'],
      ['a.timeout:999999999999|g', 'value'],
      ['a.beat:1|x', 'type'],
      ['a.beat:1|c|0.1', 'sample_rate'],
    ];
    for (const [line, expected] of cases) assert.equal(code(line), expected, line);
    const error = parseStatsdLine('a.timeout:0|g');
    assert.ok(isLineError(error) && /timeout must be seconds/.test(error.reason));
  });

  it('splits datagrams on \\n or \\r\\n and passes over blank lines', () => {
    const lines: string[] = [];
    forEachLine('a.beat:1|c\r\nb.beat:1|c\n\nc.beat:1|c\n', (line) => lines.push(line));
    assert.deepEqual(lines, ['a.beat:1|c', 'b.beat:1|c', 'c.beat:1|c']);
    const none: string[] = [];
    forEachLine('', (line) => none.push(line));
    forEachLine('\n\r\n', (line) => none.push(line));
    assert.deepEqual(none, []);
  });
});
