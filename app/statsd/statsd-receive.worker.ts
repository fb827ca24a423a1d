/**
 * A statsd receive worker thread: owns one UDP socket or the TCP server, parses what arrives and posts
 * batches of commands to the main thread, so the socket is drained whatever the main thread is busy with
 * (database batches, alarm evaluation, HTTP). It binds when the main thread says `bind`, so the thread
 * can boot while the heartbeat state is still being restored. Imports nothing but node builtins and the
 * statsd parser: the single executable embeds it as one bundled script (scripts/build-binaries.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import type { ReceiveWorkerBind, ReceiveWorkerCommand, ReceiveWorkerData, WorkerReport } from './receive-worker.js';
import { StatsdReceiver } from './statsd-receiver.js';
import { StatsdTcpServer } from './tcp-receiver.js';
import { openUdpSocket } from './udp-receiver.js';

/** How often the worker reports its longest event-loop delay. */
const LAG_REPORT_MS = 500;

const data = workerData as ReceiveWorkerData;
const port = parentPort!;
const applied = new Int32Array(data.applied);
const report = (message: WorkerReport, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
const receiver = new StatsdReceiver(
  data.receiver,
  (batch, transfer) => report({ type: 'batch', batch }, transfer),
  () => Atomics.load(applied, 0),
);

/** The lag sampler's timer period: what it records is the time between its ticks, this much when nothing held the thread up. */
const LAG_RESOLUTION_MS = 10;
const lag = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
lag.enable();
const lagTimer = setInterval(() => {
  // How long the thread was held up beyond the sampler's own period (0 when it never was).
  report({ type: 'lag', maxMs: Math.max(0, lag.max / 1e6 - LAG_RESOLUTION_MS) });
  lag.reset();
}, LAG_REPORT_MS);
lagTimer.unref();

async function open(bind: ReceiveWorkerBind): Promise<() => Promise<void>> {
  if (bind.udp) {
    const { socket, address, receiveBufferBytes, close } = await openUdpSocket(bind.udp, receiver);
    socket.on('error', (error) => report({ type: 'error', message: `statsd UDP socket error: ${error.message}` }));
    report({ type: 'listening', address, receiveBufferBytes });
    return close;
  }
  const tcp = await StatsdTcpServer.open(bind.tcp!, receiver);
  tcp.server.on('error', (error) => report({ type: 'error', message: `statsd TCP server error: ${error.message}` }));
  report({ type: 'listening', address: tcp.address() });
  return () => tcp.close();
}

let close: (() => Promise<void>) | null = null;
port.on('message', async (message: ReceiveWorkerCommand) => {
  if (message.type === 'bind') {
    try {
      close = await open(message);
    } catch (error) {
      report({ type: 'failed', code: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
    }
    return;
  }
  await close?.();
  receiver.flush();
  lag.disable();
  clearInterval(lagTimer);
  report({ type: 'closed' });
  port.close();
});
