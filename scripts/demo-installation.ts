/**
 * A demo installation for the screenshots: a dozen monitors of an imagined company's IT against real
 * servers this script runs on loopback (HTTP, TLS with a company CA, TCP listeners; one stopped, one
 * slow, one certificate close to expiry), and four months of their history.
 *
 * The monitors are made through the API and checked for real once, then the server is stopped and the
 * history written into its SQLite file: minute buckets for two days, hour buckets since each monitor was
 * "added", results for the last hours with the messages and details the live check gave, and the
 * incidents of a few past outages. After a restart the server goes on checking the same servers, so what
 * the pages show next to the history is live.
 *
 * Every target is on 127.0.0.0/8 (a second octet from the pid, so two runs never meet): nothing leaves
 * the machine.
 */
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import Database from 'better-sqlite3';
import { CertificateFactory } from '../test/peers/certificates.js';
import type { PulseServer } from '../test/peers/pulse-server.js';
import { waitUntil } from '../test/support/wait.js';

const MINUTE = 60_000;
const LEARNING_INTERVAL_S = 10;
const LEARNING_RESULTS = 4;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type State = 'up' | 'warning' | 'down';

interface Outage {
  /** Days before now it began (fractional). */
  daysAgo: number;
  minutes: number;
  cause: string;
}

interface DemoMonitor {
  name: string;
  type: string;
  /** `{A}` is the demo's loopback prefix, e.g. 127.83.0. */
  target: string;
  interval: number;
  options?: Record<string, unknown>;
  /** Days since it was added (history starts there). */
  addedDaysAgo: number;
  outages?: Outage[];
  /** In this state for the last `minutes` (after `up`); before them, a history latency of `latencyBefore` × the live one. */
  now?: { state: State; minutes: number; cause?: string; latencyBefore?: number };
  /** Paused this many days ago. */
  pausedDaysAgo?: number;
}

const MONITORS: DemoMonitor[] = [
  {
    name: 'Webshop API',
    type: 'http',
    target: 'http://{A}.11:8080/health',
    interval: 30,
    options: { keyword: '"status":"ok"' },
    addedDaysAgo: 140,
    outages: [
      { daysAgo: 9.3, minutes: 38, cause: 'HTTP 503' },
      { daysAgo: 41.6, minutes: 124, cause: 'connection refused' },
      { daysAgo: 63.1, minutes: 6, cause: 'no answer within 10000 ms' },
    ],
  },
  {
    name: 'Webshop certificate',
    type: 'ssl',
    target: '{A}.11:8443',
    interval: 300,
    options: { server_name: 'shop.example.com', ca_certificates: '{CA}' },
    addedDaysAgo: 140,
  },
  {
    name: 'Intranet',
    type: 'http',
    target: 'http://{A}.10:8080/',
    interval: 60,
    addedDaysAgo: 210,
    outages: [{ daysAgo: 23.2, minutes: 12, cause: 'HTTP 502' }],
  },
  {
    name: 'Wiki',
    type: 'http',
    target: 'http://{A}.13:8080/',
    interval: 60,
    options: { max_latency_ms: 300 },
    addedDaysAgo: 210,
    now: { state: 'warning', minutes: 26, latencyBefore: 0.35 },
  },
  {
    name: 'Grafana',
    type: 'http',
    target: 'http://{A}.14:3000/api/health',
    interval: 60,
    addedDaysAgo: 19,
  },
  {
    name: 'VPN portal certificate',
    type: 'ssl',
    target: '{A}.12:8443',
    interval: 300,
    options: { server_name: 'vpn.example.com', ca_certificates: '{CA}' },
    addedDaysAgo: 210,
    now: { state: 'warning', minutes: 3 * 24 * 60 + 7 },
  },
  { name: 'ERP database', type: 'port', target: '{A}.20:5432', interval: 60, addedDaysAgo: 210 },
  {
    name: 'Message queue (RabbitMQ)',
    type: 'port',
    target: '{A}.21:5672',
    interval: 60,
    addedDaysAgo: 96,
    outages: [{ daysAgo: 2.4, minutes: 4, cause: 'connection refused' }],
  },
  {
    name: 'Backup NAS (SMB)',
    type: 'port',
    target: '{A}.30:8445',
    interval: 60,
    addedDaysAgo: 210,
    outages: [{ daysAgo: 30.9, minutes: 95, cause: 'no answer within 10000 ms' }],
    now: { state: 'down', minutes: 47, cause: 'connection refused' },
  },
  { name: 'Core switch', type: 'ping', target: '{A}.1', interval: 60, addedDaysAgo: 210 },
  {
    name: 'Office router Hamburg',
    type: 'ping',
    target: '{A}.2',
    interval: 60,
    addedDaysAgo: 180,
    outages: [{ daysAgo: 17.8, minutes: 21, cause: '3/3 packets lost' }],
  },
  { name: 'Old file server', type: 'ping', target: '{A}.40', interval: 300, addedDaysAgo: 210, pausedDaysAgo: 6 },
];

/** Answers `/` with a page after `delayMs` (± 20 %), like the service it stands in for. */
function httpServer(host: string, port: number, body: string, delayMs: number): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const delay = delayMs * (0.8 + Math.random() * 0.4);
    setTimeout(() => response.writeHead(200, { 'content-type': body.startsWith('{') ? 'application/json' : 'text/html' }).end(body), delay);
  });
  return listen(server, host, port);
}

function listen<T extends net.Server>(server: T, host: string, port: number): Promise<T> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export class DemoInstallation {
  private readonly servers: net.Server[] = [];
  private readonly certificates = new CertificateFactory();
  private ca = '';
  readonly prefix: string;

  private constructor() {
    this.prefix = `127.${20 + (process.pid % 200)}.0`;
  }

  /** Starts the servers the demo's monitors check. */
  static async start(): Promise<DemoInstallation> {
    const demo = new DemoInstallation();
    try {
      await demo.startServers();
    } catch (error) {
      await demo.stop();
      throw error;
    }
    return demo;
  }

  private async startServers(): Promise<void> {
    const a = this.prefix;
    const ca = this.certificates.issue(
      { commonName: 'Example GmbH Internal CA', organization: 'Example GmbH', notAfter: new Date(Date.now() + 5 * 365 * DAY) },
      true,
    );
    this.ca = ca.certPem;
    const certificate = (name: string, days: number) =>
      this.certificates.issue({
        commonName: name,
        organization: 'Example GmbH',
        altNames: [name],
        notBefore: new Date(Date.now() - (90 - days) * DAY),
        notAfter: new Date(Date.now() + days * DAY + 5 * HOUR),
        issuer: ca,
      });
    const shop = certificate('shop.example.com', 64);
    const vpn = certificate('vpn.example.com', 11);
    const page = (title: string) => `<!doctype html><title>${title}</title><h1>${title}</h1>`;
    this.servers.push(
      await httpServer(`${a}.11`, 8080, '{"status":"ok","orders_queue":3}', 38),
      await httpServer(`${a}.10`, 8080, page('Intranet'), 14),
      await httpServer(`${a}.13`, 8080, page('Wiki'), 420),
      await httpServer(`${a}.14`, 3000, '{"database":"ok","version":"11.4.0"}', 6),
      await listen(
        tls.createServer({ cert: shop.certPem, key: shop.keyPem }, (socket) => socket.end()),
        `${a}.11`,
        8443,
      ),
      await listen(
        tls.createServer({ cert: vpn.certPem, key: vpn.keyPem }, (socket) => socket.end()),
        `${a}.12`,
        8443,
      ),
      await listen(
        net.createServer((socket) => socket.destroy()),
        `${a}.20`,
        5432,
      ),
      await listen(
        net.createServer((socket) => socket.destroy()),
        `${a}.21`,
        5672,
      ),
    );
  }

  /**
   * Makes the monitors through the API and waits for a few results of each (the live message, details
   * and latency the history copies). Returns the monitors' ids in MONITORS order.
   */
  async addMonitors(server: PulseServer, admin: string): Promise<number[]> {
    const ids: number[] = [];
    for (const monitor of MONITORS) {
      const options = Object.fromEntries(
        Object.entries(monitor.options ?? {}).map(([key, value]) => [key, value === '{CA}' ? this.ca : value]),
      );
      const created = await server.request('POST', '/api/monitors', {
        token: admin,
        // Every 10 s for now: a few live results give the latency the history is drawn around (this machine's,
        // so the live checks after the restart continue the line); writeHistory sets the real interval.
        json: {
          name: monitor.name,
          type: monitor.type,
          target: monitor.target.replace('{A}', this.prefix),
          interval: LEARNING_INTERVAL_S,
          options,
        },
      });
      if (created.status !== 201) throw new Error(`demo monitor ${monitor.name}: ${created.status} ${created.text}`);
      ids.push(created.json.id as number);
    }
    await waitUntil(
      `${LEARNING_RESULTS} results of every demo monitor`,
      async () => {
        for (const id of ids) {
          const results = await server.request('GET', `/api/monitors/${id}/results?limit=${LEARNING_RESULTS}`, { token: admin });
          if (!Array.isArray(results.json?.results) || results.json.results.length < LEARNING_RESULTS) return false;
        }
        return true;
      },
      180_000,
    );
    return ids;
  }

  /**
   * Writes the monitors' history into the stopped server's database: what the live first result said
   * (message, details, latency) spread back over months, with the outages and states of MONITORS.
   */
  writeHistory(dataDir: string, ids: number[]): void {
    const database = new Database(path.join(dataDir, 'pulse.db'));
    try {
      const now = Date.now();
      database.transaction(() => {
        MONITORS.forEach((monitor, index) => writeMonitorHistory(database, ids[index]!, monitor, now));
      })();
    } finally {
      database.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise((resolve) => server.close(resolve))));
    this.certificates.dispose();
  }
}

interface Segment {
  from: number;
  to: number;
  state: State;
  cause: string;
}

interface LiveResult {
  status: State;
  latency_ms: number | null;
  message: string;
  details: string | null;
}

/** The monitor's states from its addition until now (or its pause). */
function timeline(monitor: DemoMonitor, now: number): Segment[] {
  const added = now - monitor.addedDaysAgo * DAY;
  const end = monitor.pausedDaysAgo ? now - monitor.pausedDaysAgo * DAY : now;
  const marks: Segment[] = [];
  for (const outage of monitor.outages ?? []) {
    const from = now - outage.daysAgo * DAY;
    marks.push({ from, to: from + outage.minutes * MINUTE, state: 'down', cause: outage.cause });
  }
  if (monitor.now)
    marks.push({ from: now - monitor.now.minutes * MINUTE, to: now, state: monitor.now.state, cause: monitor.now.cause ?? '' });
  marks.sort((a, b) => a.from - b.from);
  const segments: Segment[] = [];
  let at = added;
  for (const mark of marks) {
    if (mark.from > at) segments.push({ from: at, to: mark.from, state: 'up', cause: '' });
    segments.push(mark);
    at = mark.to;
  }
  if (at < end) segments.push({ from: at, to: end, state: 'up', cause: '' });
  return segments.filter((segment) => segment.from < end).map((segment) => ({ ...segment, to: Math.min(segment.to, end) }));
}

/**
 * A latency in the shape of a working day: up to a quarter higher in office hours (UTC), drifting slowly,
 * with a little jitter and now and then a spike.
 */
function latencyAt(base: number, t: number, monitor: DemoMonitor, now: number): number {
  const hour = (t % DAY) / HOUR;
  const office = 1 + 0.25 * Math.max(0, Math.sin((Math.PI * (hour - 6)) / 12));
  const drift = 1 + 0.06 * Math.sin(t / (37 * MINUTE)) + 0.04 * Math.sin(t / (11 * MINUTE) + base);
  const jitter = 0.96 + Math.random() * 0.08;
  const spike = Math.random() < 0.002 ? 1.5 + Math.random() * 0.7 : 1;
  const before = monitor.now?.latencyBefore && t < now - monitor.now.minutes * MINUTE ? monitor.now.latencyBefore : 1;
  return base * office * drift * jitter * spike * before;
}

interface BucketFigures {
  up: number;
  warning: number;
  down: number;
  checks: number;
  downChecks: number;
  latencies: number[];
}

/**
 * The minute (last two days) and hour buckets the server would have written: every check of the
 * monitor's interval, the time since the previous one credited to the state held, in the bucket of the check.
 */
function simulatedBuckets(segments: Segment[], monitor: DemoMonitor, base: number, now: number) {
  const intervalMs = monitor.interval * 1000;
  const buckets = { minute: new Map<number, BucketFigures>(), hour: new Map<number, BucketFigures>() };
  const end = segments[segments.length - 1]!.to;
  let previous: number | null = null;
  let index = 0;
  for (let at = segments[0]!.from; at < end; at += intervalMs) {
    while (segments[index]!.to <= at) index++;
    const segment = segments[index]!;
    const latency = segment.state === 'down' ? null : latencyAt(base, at, monitor, now);
    const elapsed = previous === null ? 0 : at - previous;
    previous = at;
    for (const [period, step] of [
      ['minute', MINUTE],
      ['hour', HOUR],
    ] as const) {
      if (period === 'minute' && at < now - 2 * DAY) continue;
      const start = Math.floor(at / step) * step;
      let figures = buckets[period].get(start);
      if (!figures) buckets[period].set(start, (figures = { up: 0, warning: 0, down: 0, checks: 0, downChecks: 0, latencies: [] }));
      figures[segment.state] += elapsed;
      figures.checks++;
      if (segment.state === 'down') figures.downChecks++;
      if (latency !== null) figures.latencies.push(latency);
    }
  }
  return buckets;
}

function writeMonitorHistory(database: Database.Database, id: number, monitor: DemoMonitor, now: number): void {
  const recent = database
    .prepare(`SELECT status, latency_ms, message, details FROM check_results WHERE monitor_id = ? ORDER BY checked_at DESC LIMIT ?`)
    .all(id, LEARNING_RESULTS) as LiveResult[];
  const live = recent[0]!;
  const latencies = recent.flatMap((result) => (result.latency_ms === null ? [] : [result.latency_ms])).sort((a, b) => a - b);
  for (const table of ['check_results', 'monitor_buckets', 'monitor_source_buckets', 'monitor_incidents'])
    database.prepare(`DELETE FROM ${table} WHERE monitor_id = ?`).run(id);
  const segments = timeline(monitor, now);
  const base = latencies.length ? latencies[Math.floor(latencies.length / 2)]! : 0.3;
  const intervalMs = monitor.interval * 1000;

  const bucket = database.prepare(
    `INSERT INTO monitor_buckets (monitor_id, period, bucket_start, up_ms, warning_ms, down_ms, maintenance_ms, checks, down_checks,
       latency_count, latency_sum_ms, latency_min_ms, latency_max_ms, latency_p95_ms) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const sourceBucket = database.prepare(
    `INSERT INTO monitor_source_buckets (monitor_id, source, period, bucket_start, checks, down_checks, latency_count, latency_sum_ms,
       latency_min_ms, latency_max_ms) VALUES (?, 'public', ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const [period, buckets] of Object.entries(simulatedBuckets(segments, monitor, base, now))) {
    for (const [start, figures] of buckets) {
      const sorted = figures.latencies.sort((x, y) => x - y);
      const latency = sorted.length
        ? [sorted.length, sorted.reduce((sum, value) => sum + value, 0), sorted[0]!, sorted[sorted.length - 1]!]
        : [0, 0, null, null];
      const p95 = sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)]! : null;
      bucket.run(id, period, start, figures.up, figures.warning, figures.down, figures.checks, figures.downChecks, ...latency, p95);
      sourceBucket.run(id, period, start, figures.checks, figures.downChecks, ...latency);
    }
  }

  // Results of the last three hours, every interval, with the live check's words.
  const result = database.prepare(
    `INSERT INTO check_results (monitor_id, checked_at, source, status, latency_ms, message, details) VALUES (?, ?, 'public', ?, ?, ?, ?)`,
  );
  let latest: { at: number; state: State; latency: number | null; message: string } | null = null;
  const last = segments[segments.length - 1]!.to;
  for (let at = Math.max(segments[0]!.from, last - 3 * HOUR) + ((id * 7919) % intervalMs); at < last - 5_000; at += intervalMs) {
    const segment = segments.find((candidate) => candidate.from <= at && at < candidate.to);
    if (!segment) continue;
    const down = segment.state === 'down';
    const latency = down ? null : Math.round(latencyAt(base, at, monitor, now) * 100) / 100;
    const message = down ? segment.cause : liveMessage(live.message, latency!, segment.state);
    const details = down
      ? JSON.stringify(segment.cause === 'connection refused' ? { code: 'ECONNREFUSED' } : {})
      : scaledDetails(live.details, latency! / base);
    result.run(id, Math.round(at), segment.state, latency, message, details);
    latest = { at: Math.round(at), state: segment.state, latency, message };
  }

  // Incidents: each outage, numbered in time order; the last still open when the monitor is down now.
  const incident = database.prepare(
    `INSERT INTO monitor_incidents (monitor_id, number, started_at, ended_at, cause, resolution) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const outages = segments.filter((segment) => segment.state === 'down');
  outages.forEach((outage, index) => {
    const open = monitor.now?.state === 'down' && index === outages.length - 1;
    incident.run(id, index + 1, Math.round(outage.from), open ? null : Math.round(outage.to), outage.cause, open ? null : 'recovered');
  });

  const current = segments[segments.length - 1]!;
  const paused = monitor.pausedDaysAgo !== undefined;
  database
    .prepare(
      `UPDATE monitors SET interval_s = ?, timeout_s = ?, status = ?, status_message = ?, last_change_at = ?, incident_number = ?, paused = ?,
         created_at = ?, updated_at = ? WHERE id = ?`,
    )
    .run(
      monitor.interval,
      Math.min(10, monitor.interval - 1),
      paused ? 'paused' : current.state,
      paused ? '' : (latest?.message ?? live.message),
      Math.round(paused ? current.to : current.from),
      outages.length,
      paused ? 1 : 0,
      Math.round(segments[0]!.from),
      Math.round(paused ? current.to : segments[0]!.from),
      id,
    );
  if (latest)
    database
      .prepare(
        `UPDATE monitor_sources SET status = ?, latency_ms = ?, message = ?, checked_at = ? WHERE monitor_id = ? AND source = 'public'`,
      )
      .run(latest.state, latest.latency, latest.message, latest.at, id);
}

/** The live message with this result's latency where it names one (`avg 0.04 ms`, `slow: 421 ms`); no `slow` when up. */
function liveMessage(message: string, latency: number, state: State): string {
  if (state === 'up') message = message.replace(/, slow: .*$/, '');
  return message.replace(/(avg |slow: )[\d.]+ ms/, (_, lead: string) => `${lead}${lead === 'slow: ' ? Math.round(latency) : latency} ms`);
}

/** The live details with their `*_ms` figures scaled to this result's latency. */
function scaledDetails(details: string | null, factor: number): string | null {
  if (details === null) return null;
  const parsed = JSON.parse(details) as Record<string, unknown>;
  for (const [key, value] of Object.entries(parsed))
    if (key.endsWith('_ms') && typeof value === 'number') parsed[key] = Math.round(value * factor * 100) / 100;
  return JSON.stringify(parsed);
}
