/**
 * `npm run bench:console-live`: what open consoles cost the server, and how fast a change reaches them.
 *
 *   - 100 signed-in consoles, each holding the live event stream open (as every open page does);
 *   - server RSS and CPU time while they idle for 30 s (keep-alives and session re-checks included),
 *     compared with the same server with no console open;
 *   - delay from a change (a token created through the API) to every one of the 100 streams receiving its
 *     event, 20 times: p50 / p95 / max over all deliveries. The hub merges bursts for 250 ms, which is in
 *     these figures.
 *
 * Prints figures; asserts nothing.
 */
import { readFileSync } from 'node:fs';
import { PulseServer } from '../peers/pulse-server.js';
import { ConsoleClient } from '../support/console-client.js';

const CONSOLES = 100;
const IDLE_MS = 30_000;
const CHANGES = 20;
const TICKS = 100; // clock ticks per second on Linux

function processStats(pid: number): { rssMb: number; cpuMs: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuTicks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: rssKb / 1024, cpuMs: (cpuTicks * 1000) / TICKS };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function idle(pid: number): Promise<{ rssMb: number; cpuMsPerMinute: number }> {
  const start = processStats(pid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
  const end = processStats(pid);
  return { rssMb: end.rssMb, cpuMsPerMinute: ((end.cpuMs - start.cpuMs) * 60_000) / IDLE_MS };
}

async function main(): Promise<void> {
  const server = await PulseServer.start({ config: '[http]\nauth_failures_per_minute = 100000\n' });
  const admin = server.adminToken!;
  const pid = server.process.pid;
  try {
    const quiet = await idle(pid);

    const waiting: ((topic: string, at: number) => void)[] = [];
    const streams: AbortController[] = [];
    for (let n = 0; n < CONSOLES; n++) {
      const user = new ConsoleClient(`${server.baseUrl}/`);
      await user.signIn(admin);
      const abort = new AbortController();
      streams.push(abort);
      const response = await fetch(`${server.baseUrl}/events`, { headers: { cookie: `pulse_session=${user.sessionCookie}` }, signal: abort.signal });
      const index = n;
      void (async () => {
        const decoder = new TextDecoder();
        try {
          for await (const chunk of response.body!) {
            const text = decoder.decode(chunk as Uint8Array, { stream: true });
            for (const match of text.matchAll(/^event: (\S+)$/gm)) waiting[index]?.(match[1]!, performance.now());
          }
        } catch {
          // aborted at the end
        }
      })();
    }
    const open = await idle(pid);

    const delays: number[] = [];
    for (let change = 0; change < CHANGES; change++) {
      const arrivals: Promise<number>[] = [];
      for (let n = 0; n < CONSOLES; n++) {
        arrivals.push(
          new Promise((resolve) => {
            waiting[n] = (topic, at) => {
              if (topic === 'tokens') resolve(at);
            };
          }),
        );
      }
      const sent = performance.now();
      await server.request('POST', '/api/tokens', { token: admin, json: { name: `bench ${change}`, type: 'agent' } });
      for (const at of await Promise.all(arrivals)) delays.push(at - sent);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    for (const abort of streams) abort.abort();

    console.log(`console live events, ${CONSOLES} open consoles (event streams), ${IDLE_MS / 1000} s idle each way`);
    console.log(`  server RSS         no consoles ${quiet.rssMb.toFixed(1)} MB, ${CONSOLES} consoles ${open.rssMb.toFixed(1)} MB`);
    console.log(`  server CPU (idle)  no consoles ${quiet.cpuMsPerMinute.toFixed(0)} ms/min, ${CONSOLES} consoles ${open.cpuMsPerMinute.toFixed(0)} ms/min`);
    console.log(
      `  change → all ${CONSOLES} streams (${delays.length} deliveries): p50 ${percentile(delays, 50).toFixed(0)} ms, ` +
        `p95 ${percentile(delays, 95).toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms (250 ms of it is the merge window)`,
    );
  } finally {
    await server.dispose();
  }
}

await main();
