/**
 * `npm run bench:alerts`: how fast an alert reaches people, and what a storm produces.
 *
 *   1. Latency: 40 port monitors (interval 5 s, no retries), each on its own local TCP service; the
 *      services are switched off one per second. For each alert: from the state change (`at` in the
 *      webhook body, the moment Pulse decided the monitor is down) to the webhook receiver having it,
 *      and to smtp-sink having the mail.
 *   2. Storm: 500 port monitors on one local service, switched off at once, with three channels (webhook,
 *      Slack, mail) and the default storm settings: what each channel receives.
 *
 * Target (issue 5): detection → delivered p95 < 2 s. Prints figures; asserts nothing. Every loop is
 * bounded in count and time.
 */
import net from 'node:net';
import os from 'node:os';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PulseServer } from '../peers/pulse-server.js';
import { SmtpSink } from '../peers/smtp-sink.js';
import { freePort } from '../support/ports.js';
import { waitUntil } from '../support/wait.js';

const LATENCY_MONITORS = 40;
const STORM_MONITORS = 500;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => socket.destroy());
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

async function createMonitors(server: PulseServer, targets: string[], interval: number): Promise<number[]> {
  const ids: number[] = [];
  for (const [index, target] of targets.entries()) {
    const created = await server.request('POST', '/api/monitors', {
      token: server.adminToken,
      json: { name: `bench-${index}`, type: 'port', target, interval, retries: 0 },
    });
    if (created.status !== 201) throw new Error(`creating a monitor: ${created.text}`);
    ids.push(created.json.id);
  }
  return ids;
}

async function allUp(server: PulseServer, count: number): Promise<boolean> {
  const list = await server.request('GET', `/api/monitors?status=up&per_page=1`, { token: server.adminToken });
  return list.json.total >= count;
}

async function latencyPhase(): Promise<string[]> {
  const hook = await HttpReceiver.start();
  const sink = await SmtpSink.start();
  const server = await PulseServer.start({
    config: [
      '[alerting]',
      'storm_threshold = 1000',
      '[mail]',
      `server = "127.0.0.1:${sink.port}"`,
      '[alerts.bench]',
      `webhook = "${hook.url}/latency"`,
      'mail = "oncall@example.com"',
      'default = true',
    ].join('\n'),
  });
  const services: net.Server[] = [];
  try {
    const ports = await Promise.all(Array.from({ length: LATENCY_MONITORS }, () => freePort()));
    for (const port of ports) services.push(await listen(port));
    await createMonitors(
      server,
      ports.map((port) => `127.0.0.1:${port}`),
      5,
    );
    await waitUntil('all monitors up', () => allUp(server, LATENCY_MONITORS), 60_000);
    for (const service of services) {
      await close(service);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await waitUntil(
      'every alert delivered',
      () => hook.requests.length >= LATENCY_MONITORS && sink.messages().length >= LATENCY_MONITORS,
      60_000,
    );
    const webhook = hook.requests.map((request) => request.at - Date.parse((JSON.parse(request.body) as { at: string }).at));
    // smtp-sink stamps no receive time we can read to the millisecond: the mail latency comes from the delivery log.
    const log = await server.request('GET', '/api/alerts/deliveries?limit=500', { token: server.adminToken });
    const mail = (log.json.deliveries as { type: string; status: string; delivered_at: string; event: { at: string } }[])
      .filter((delivery) => delivery.type === 'mail' && delivery.status === 'sent')
      .map((delivery) => Date.parse(delivery.delivered_at) - Date.parse(delivery.event.at));
    const describe = (label: string, values: number[]) =>
      `  ${label}: ${values.length} alerts, p50 ${percentile(values, 50).toFixed(0)} ms, p95 ${percentile(values, 95).toFixed(0)} ms, max ${Math.max(...values).toFixed(0)} ms`;
    const p95 = Math.max(percentile(webhook, 95), percentile(mail, 95));
    return [
      `detection → delivered (${LATENCY_MONITORS} monitors going down one per second):`,
      describe('webhook (received by the HTTP receiver)', webhook),
      describe('mail via SMTP (accepted by smtp-sink)', mail),
      `  target p95 < 2000 ms: ${p95.toFixed(0)} ms ${p95 < 2000 ? 'met' : 'MISSED'}`,
    ];
  } finally {
    await server.dispose();
    for (const service of services) if (service.listening) await close(service);
    await hook.stop();
    await sink.stop();
  }
}

async function stormPhase(): Promise<string[]> {
  const hook = await HttpReceiver.start();
  const slack = await HttpReceiver.start();
  const sink = await SmtpSink.start();
  const port = await freePort();
  let service = await listen(port);
  const server = await PulseServer.start({
    config: [
      '[mail]',
      `server = "127.0.0.1:${sink.port}"`,
      '[slack]',
      `webhook_url = "${slack.url}/services/T/B/X"`,
      '[alerts.hook]',
      `webhook = "${hook.url}/storm"`,
      'default = true',
      '[alerts.chat]',
      'slack_channel = "#ops"',
      'default = true',
      '[alerts.oncall]',
      'mail = "oncall@example.com"',
      'default = true',
    ].join('\n'),
  });
  try {
    await createMonitors(
      server,
      Array.from({ length: STORM_MONITORS }, () => `127.0.0.1:${port}`),
      10,
    );
    await waitUntil('all monitors up', () => allUp(server, STORM_MONITORS), 90_000);
    const failedAt = Date.now();
    await close(service);
    await waitUntil(
      'every monitor down',
      async () =>
        (await server.request('GET', '/api/monitors?status=down&per_page=1', { token: server.adminToken })).json.total >= STORM_MONITORS,
      60_000,
    );
    // The digest goes out once the storm window (30 s) has passed.
    await waitUntil('the digests', () => JSON.stringify(hook.requests.map((request) => request.body)).includes('digest'), 90_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const webhookBodies = hook.requests.map((request) => JSON.parse(request.body) as { kind: string; events?: unknown[]; at: string });
    const singles = webhookBodies.filter((body) => body.kind !== 'digest').length;
    const digests = webhookBodies.filter((body) => body.kind === 'digest');
    const lastDigestAt = Math.max(...hook.requests.map((request) => request.at));
    const mails = sink.messages();
    const mailDigests = mails.filter((mail) => /Subject: \[PULSE\] \d+ changes/.test(mail)).length;
    const slackDigests = slack.requests.filter((request) => /changes:/.test(request.body)).length;
    service = await listen(port);
    return [
      `${STORM_MONITORS} monitors failing at once (interval 10 s, storm_threshold 10 within 30 s), per channel:`,
      `  webhook: ${hook.requests.length} requests = ${singles} single alerts + ${digests.length} digest(s) of ${digests.map((digest) => digest.events?.length ?? 0).join(', ')} events`,
      `  slack:   ${slack.requests.length} posts (${slackDigests} digest)`,
      `  mail:    ${mails.length} mails (${mailDigests} digest)`,
      `  first failure → last digest delivered: ${((lastDigestAt - failedAt) / 1000).toFixed(1)} s`,
    ];
  } finally {
    await server.dispose();
    if (service.listening) await close(service);
    await hook.stop();
    await slack.stop();
    await sink.stop();
  }
}

const started = os.loadavg()[0]!;
const lines = [
  `LILLYDOO Pulse alert benchmark — ${new Date().toISOString()}, ${os.cpus().length} cores, load average ${started.toFixed(2)} at start`,
  '',
];
lines.push(...(await latencyPhase()), '');
lines.push(...(await stormPhase()));
process.stdout.write(`${lines.join('\n')}\n`);
