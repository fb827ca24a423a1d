import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { rejectionOf } from '../../test/support/plugin-errors.js';
import { postForAlert } from './http-delivery.js';
import { createPluginContext } from './plugin-context.js';

const BODY_BYTES = 256 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * A receiver that answers with a 256 MiB body, written as fast as the client reads it, and records how
 * much it got rid of and whether the client hung up before the end.
 */
class FloodingReceiver {
  status = 500;
  written = 0;
  finished = false;
  closedEarly: Promise<boolean> = Promise.resolve(false);
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<FloodingReceiver> {
    const server = http.createServer();
    const receiver = new FloodingReceiver(server);
    server.on('request', (request, response) => {
      request.resume();
      receiver.written = 0;
      receiver.finished = false;
      receiver.closedEarly = new Promise((resolve) => response.once('close', () => resolve(!response.writableFinished)));
      response.writeHead(receiver.status, { 'content-type': 'text/plain', 'content-length': BODY_BYTES });
      response.write('quota exceeded: try again later\n');
      receiver.written = 31;
      const pump = () => {
        while (receiver.written < BODY_BYTES && !response.destroyed) {
          const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, BODY_BYTES - receiver.written));
          receiver.written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        if (!response.destroyed) response.end(() => (receiver.finished = true));
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const context = () => createPluginContext({ timeoutMs: 60_000, logger: { debug() {}, info() {}, warn() {} } });

describe('postForAlert reads at most 64 KiB of an answer (SPEC §13)', () => {
  let receiver: FloodingReceiver;
  before(async () => {
    receiver = await FloodingReceiver.start();
  });
  after(() => receiver.stop());

  it('hangs up on a huge error body and keeps its first part for the message', async () => {
    receiver.status = 500;
    const error = await rejectionOf(postForAlert(receiver.url, '{}', { 'content-type': 'application/json' }, context(), 'webhook'));
    assert.equal(error.temporary, true);
    assert.match(error.message, /^webhook answered HTTP 500: quota exceeded: try again later x+$/);
    assert.ok(error.message.length < 300, 'the message keeps only the start of the body');
    assert.equal(await receiver.closedEarly, true, 'the receiver saw the connection closed before its body ended');
    assert.equal(receiver.finished, false);
    // What the kernel's socket buffers took is all that left the receiver: far from the 256 MiB it had.
    assert.ok(receiver.written < BODY_BYTES / 4, `the receiver got rid of ${receiver.written} bytes`);
  });

  it('hangs up on a huge success body too', async () => {
    receiver.status = 200;
    await postForAlert(receiver.url, '{}', {}, context(), 'webhook');
    assert.equal(await receiver.closedEarly, true);
    assert.ok(receiver.written < BODY_BYTES / 4, `the receiver got rid of ${receiver.written} bytes`);
  });
});
