import assert from 'node:assert/strict';
import net from 'node:net';
import { describe, it } from 'node:test';
import { waitUntil } from '../../test/support/wait.js';
import { COMMANDS, StatsdNameTable, type StatsdBatch } from './statsd-batch.js';
import { StatsdReceiver } from './statsd-receiver.js';
import { StatsdTcpServer } from './tcp-receiver.js';

const SETTINGS = { listen: '127.0.0.1:0', max_connections: 10, max_connections_per_source: 10, idle_timeout: 60, max_line_bytes: 4096 };

describe('StatsdTcpServer', () => {
  it('stops reading its connections while the engine is behind, and loses nothing', async () => {
    const table = new StatsdNameTable();
    const received: string[] = [];
    let applied = 0;
    const receiver = new StatsdReceiver(
      { transport: 'tcp', trustedSources: null, debug: false, maxNames: 1000, backlogLimit: 100 },
      (batch: StatsdBatch) => {
        table.update(batch);
        for (let index = 0; index < batch.commands.length; index++)
          received.push(`${table.name(batch.ids[index]!)}.${COMMANDS[batch.commands[index]!]}`);
      },
      () => applied,
    );
    const server = await StatsdTcpServer.open(SETTINGS, receiver);
    const client = net.connect(server.address().port, '127.0.0.1');
    try {
      const total = 5000;
      const expected = Array.from({ length: total }, (_, index) => `line${index}.beat`);
      // In small writes a little apart, so the server reads them one by one and notices the backlog early.
      for (let start = 0; start < total; start += 50) {
        client.write(
          expected
            .slice(start, start + 50)
            .map((line) => `${line}:1|c\n`)
            .join(''),
        );
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      await waitUntil('the server to stop reading', async () => {
        const before = receiver.batch.posted;
        await new Promise((resolve) => setTimeout(resolve, 200));
        return receiver.batch.posted === before && before > 0 ? true : null;
      });
      const held = receiver.batch.posted;
      assert.ok(held < total, `the server stopped at ${held} of ${total} lines while nothing was applied`);
      assert.ok(held <= 100 + 1024, `it stopped soon after the backlog passed the limit (${held})`);
      // The engine catches up step by step: every line arrives, in order.
      await waitUntil('every line', async () => {
        applied = receiver.batch.posted;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return received.length === total ? true : null;
      });
      assert.deepEqual(received, expected);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
