import type { AddressInfo } from 'node:net';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../runtime/worker-scripts.js';
import type { StatsdBatch } from './statsd-batch.js';
import type { ReceiverSettings } from './statsd-receiver.js';
import type { TcpServerSettings } from './tcp-receiver.js';
import type { UdpSocketSettings } from './udp-receiver.js';

export interface ReceiveWorkerData {
  receiver: ReceiverSettings;
  /** Int32Array(1): lines the engine has applied, written by the main thread (the worker's backlog check). */
  applied: SharedArrayBuffer;
}

/** What the worker listens on: exactly one of udp and tcp. */
export interface ReceiveWorkerBind {
  type: 'bind';
  udp?: UdpSocketSettings;
  tcp?: TcpServerSettings;
}

export type ReceiveWorkerCommand = ReceiveWorkerBind | { type: 'close' };

export type WorkerReport =
  | { type: 'listening'; address: AddressInfo; receiveBufferBytes?: number }
  | { type: 'failed'; code: string }
  | { type: 'batch'; batch: StatsdBatch }
  | { type: 'lag'; maxMs: number }
  | { type: 'error'; message: string }
  | { type: 'closed' };

export interface ReceiveWorkerEvents {
  batch(batch: StatsdBatch): void;
  lag(maxMs: number): void;
  error(message: string): void;
  /** The worker ended without being asked (a bug in it): the listener starts another. */
  exited(reason: string): void;
}

/** A bind or listen error inside the worker, with its errno code. */
export class ReceiveWorkerFailed extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/**
 * The main thread's handle on one receive worker: `spawn` starts the thread (it boots meanwhile), `bind`
 * opens its socket, `close` takes its last batch and ends it.
 */
export class ReceiveWorker {
  private closing = false;
  private bound: { address: AddressInfo; receiveBufferBytes?: number } | null = null;
  private waiting: { resolve: () => void; reject: (error: Error) => void } | null = null;

  private constructor(
    private readonly worker: Worker,
    private readonly events: ReceiveWorkerEvents,
  ) {
    worker.on('message', (report: WorkerReport) => this.receive(report));
    worker.on('error', (error) => {
      if (this.waiting) this.waiting.reject(error);
      else this.events.error(`statsd receive worker failed: ${error.stack ?? error.message}`);
    });
    worker.on('exit', (code) => {
      if (this.waiting) this.waiting.reject(new Error(`statsd receive worker exited with code ${code}`));
      else if (!this.closing) this.events.exited(`exit code ${code}`);
    });
  }

  static spawn(data: ReceiveWorkerData, events: ReceiveWorkerEvents): ReceiveWorker {
    const worker = startWorker('statsd-receive', { workerData: data, name: `statsd ${data.receiver.transport}` });
    worker.unref(); // the server's lifetime is its own: a receive thread never keeps the process alive
    return new ReceiveWorker(worker, events);
  }

  get address(): AddressInfo {
    return this.bound!.address;
  }

  get receiveBufferBytes(): number | undefined {
    return this.bound?.receiveBufferBytes;
  }

  /** Opens the socket; rejects with ReceiveWorkerFailed (the errno code) when it cannot. */
  bind(what: Omit<ReceiveWorkerBind, 'type'>): Promise<this> {
    return new Promise<void>((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.worker.postMessage({ type: 'bind', ...what } satisfies ReceiveWorkerBind);
    }).then(
      () => this,
      (error: Error) => {
        this.waiting = null;
        throw error;
      },
    );
  }

  /** Closes the socket, waits for the worker's last batch, and ends the thread. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.waiting?.reject(new Error('closed'));
    this.waiting = null;
    const closed = new Promise<void>((resolve) => {
      this.worker.on('message', (report: WorkerReport) => report.type === 'closed' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage({ type: 'close' } satisfies ReceiveWorkerCommand);
    await Promise.race([closed, new Promise<void>((resolve) => setTimeout(resolve, 5000).unref())]);
    await this.worker.terminate();
  }

  private receive(report: WorkerReport): void {
    switch (report.type) {
      case 'batch':
        return this.events.batch(report.batch);
      case 'lag':
        return this.events.lag(report.maxMs);
      case 'error':
        return this.events.error(report.message);
      case 'listening':
        this.bound = { address: report.address, receiveBufferBytes: report.receiveBufferBytes };
        this.waiting?.resolve();
        this.waiting = null;
        return;
      case 'failed':
        this.waiting?.reject(new ReceiveWorkerFailed(report.code));
        this.waiting = null;
        return;
    }
  }
}
