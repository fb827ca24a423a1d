import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PulseLogger, safeLogText, type LogLevel, type LogSink } from './pulse-logger.js';

class MemorySink implements LogSink {
  readonly lines: string[] = [];
  write(level: LogLevel, context: string, message: string): void {
    this.lines.push(`${level} [${context}] ${message}`);
  }
  async close(): Promise<void> {}
}

describe('log lines', () => {
  it('escapes control characters, so a value cannot forge a line or drive a terminal', () => {
    assert.equal(
      safeLogText('token "x\r\n2026-12-01T00:00:00.000Z INFO  [Auth] forged" created'),
      'token "x\\r\\n2026-12-01T00:00:00.000Z INFO  [Auth] forged" created',
    );
    assert.equal(safeLogText('a\u0000b\u001b[31mred\u007f\u0085\u2028end\tTab'), 'a\\x00b\\x1b[31mred\\x7f\\x85\\u2028end\tTab');
    assert.equal(safeLogText('plain text stays as it is: äöü €'), 'plain text stays as it is: äöü €');
  });

  it('hides credentials in URLs and keeps the rest', () => {
    assert.equal(
      safeLogText('monitor 3 "shop" (http https://admin:s3cret@shop.example/health) created'),
      'monitor 3 "shop" (http https://admin:***@shop.example/health) created',
    );
    assert.equal(safeLogText('postgres://pulse:p@ss@db:5432/pulse'), 'postgres://pulse:***@db:5432/pulse');
    assert.equal(
      safeLogText('https://ghp_token@example.org/x and mail to ops@example.org'),
      'https://***@example.org/x and mail to ops@example.org',
    );
  });

  it('keeps a stack trace on its own lines, and escapes the message above it', () => {
    const sink = new MemorySink();
    const logger = new PulseLogger(sink, 'debug');
    const error = new Error('bad name "a\nINFO forged"');
    logger.error('request failed', error.stack, 'HTTP');
    logger.warn(error, 'Alerts');
    for (const entry of sink.lines) {
      const [first, ...frames] = entry.split('\n');
      assert.doesNotMatch(first!, /\n/);
      assert.ok(frames.length > 0 && frames.every((frame) => /^\s+at /.test(frame)), entry);
    }
    assert.match(sink.lines[1]!, /^warn \[Alerts\] Error: bad name "a\\nINFO forged"\n\s+at /);
    logger.log('service "x\u001b]0;owned\u0007" created', 'Heartbeats\nforged');
    assert.equal(sink.lines[2], 'info [Heartbeats\\nforged] service "x\\x1b]0;owned\\x07" created');
  });
});
