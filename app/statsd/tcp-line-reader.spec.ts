import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TcpLineReader } from './tcp-line-reader.js';

function reader(max = 32) {
  const lines: string[] = [];
  const tooLong: number[] = [];
  const instance = new TcpLineReader(
    max,
    (line) => lines.push(line),
    (_start, length) => tooLong.push(length),
  );
  return { instance, lines, tooLong };
}

describe('TcpLineReader', () => {
  it('joins lines split across reads and accepts \\n or \\r\\n', () => {
    const { instance, lines } = reader();
    instance.push('a.beat:1|c\r\nb.be');
    instance.push('at:1|c\n');
    instance.push('c.beat:1|c');
    assert.deepEqual(lines, ['a.beat:1|c', 'b.beat:1|c']);
    instance.end();
    assert.deepEqual(lines, ['a.beat:1|c', 'b.beat:1|c', 'c.beat:1|c'], 'a last line without newline counts at close');
  });

  it('skips a line over the cap up to its newline, once, and keeps the lines around it', () => {
    const { instance, lines, tooLong } = reader(16);
    instance.push('ok.beat:1|c\n' + 'x'.repeat(20));
    instance.push('y'.repeat(1000));
    instance.push('z\nafter.beat:1|c\n');
    assert.deepEqual(lines, ['ok.beat:1|c', 'after.beat:1|c']);
    assert.equal(tooLong.length, 1);
    instance.push('q'.repeat(40) + '\nlast.beat:1|c\n');
    assert.deepEqual(lines, ['ok.beat:1|c', 'after.beat:1|c', 'last.beat:1|c']);
    assert.equal(tooLong.length, 2, 'a long line inside one read is caught too');
  });
});
