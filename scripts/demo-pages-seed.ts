/**
 * Demo data for the screenshots of the Heartbeats, Alarms, Alerts, Maintenance and Settings pages: weeks of
 * heartbeat history written into the database before the server starts (beats cannot be sent from the
 * past), then channels, alarms, maintenance windows and test sends through the API, against real local
 * receivers so the delivery log shows real outcomes and errors.
 */
import Database from 'better-sqlite3';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { PulseServer } from '../test/peers/pulse-server.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** What the config file says for the demo (Settings shows it, secrets masked). */
export function demoConfig(mailPort: number): string {
  return [
    'public_url = "https://pulse.example.com/"',
    '[http]',
    'trusted_proxies = ["127.0.0.1", "10.20.0.0/16"]',
    '[heartbeat]',
    'max_services = 20000',
    '[alerting]',
    'storm_threshold = 25',
    '[mail]',
    `server = "127.0.0.1:${mailPort}"`,
    'from = "pulse@ops.example.com"',
    'username = "pulse"',
    'password = "demo-mail-password"',
    '[[alarms]]',
    'name = "backups"',
    'pattern = "backup.*"',
    'alerts = ["ops-mail", "ops-webhook"]',
    '[alerts.ops-mail]',
    'mail = "ops@example.com"',
  ].join('\n');
}

interface DemoService {
  name: string;
  /** Gap between beats, and how much it varies (0..1). */
  every: number;
  jitter?: number;
  /** ms; -1 none, -2 automatic. */
  timeout: number;
  /** How long ago the last beat came. */
  lastBeatAgo: number;
  state?: 'ok' | 'error' | 'muted' | 'new';
  problem?: 'failed';
  runs?: boolean;
  running?: boolean;
  beats?: number;
}

const SERVICES: DemoService[] = [
  { name: 'backup.nightly.db-01', every: DAY, jitter: 0.02, timeout: -2, lastBeatAgo: 5 * HOUR, runs: true },
  { name: 'backup.nightly.db-02', every: DAY, jitter: 0.02, timeout: 26 * HOUR, lastBeatAgo: 31 * HOUR, state: 'error', runs: true },
  { name: 'backup.nightly.files', every: DAY, jitter: 0.05, timeout: -2, lastBeatAgo: 4 * HOUR, runs: true },
  { name: 'backup.weekly.archive', every: 7 * DAY, timeout: 8 * DAY, lastBeatAgo: 2 * DAY, beats: 8 },
  { name: 'cron.invoice-export', every: 10 * MINUTE, jitter: 0.05, timeout: 15 * MINUTE, lastBeatAgo: 4 * MINUTE },
  { name: 'cron.newsletter-send', every: HOUR, timeout: 2 * HOUR, lastBeatAgo: 3 * DAY, state: 'muted' },
  { name: 'etl.orders.hourly', every: HOUR, jitter: 0.25, timeout: -2, lastBeatAgo: 22 * MINUTE, runs: true },
  {
    name: 'etl.stock-sync',
    every: 15 * MINUTE,
    jitter: 0.1,
    timeout: -2,
    lastBeatAgo: 9 * MINUTE,
    state: 'error',
    problem: 'failed',
    runs: true,
  },
  { name: 'legacy.ftp-import', every: 3 * DAY, timeout: -1, lastBeatAgo: 41 * DAY, beats: 6 },
  { name: 'payments.reconcile', every: 30 * MINUTE, jitter: 0.1, timeout: -2, lastBeatAgo: 27 * MINUTE, runs: true, running: true },
  { name: 'queue.worker-1', every: MINUTE, jitter: 0.03, timeout: 5 * MINUTE, lastBeatAgo: 20_000 },
  { name: 'queue.worker-2', every: MINUTE, jitter: 0.03, timeout: 5 * MINUTE, lastBeatAgo: 41_000 },
  { name: 'queue.worker-3', every: MINUTE, jitter: 0.03, timeout: 5 * MINUTE, lastBeatAgo: 7_000 },
  { name: 'shop.sitemap-build', every: 6 * HOUR, timeout: -2, lastBeatAgo: 50 * MINUTE, state: 'new', beats: 2 },
];

/** A steady pseudo-random sequence, so both colour schemes show the same demo. */
function wobble(seed: number): () => number {
  let value = seed;
  return () => {
    value = (value * 16807) % 2147483647;
    return value / 2147483647 - 0.5;
  };
}

/** Heartbeat services with their history, the backups alarm's past incidents and a window that is over, written before the server starts. */
export function seedHeartbeatHistory(dataDir: string, now: number): void {
  const database = new Database(path.join(dataDir, 'pulse.db'));
  try {
    const insert = database.prepare(
      `INSERT OR REPLACE INTO heartbeat_services (name, timeout_ms, min_interval_ms, last_beat, state, problem, muted_since, last_state_change, created_at, beats, run_started_at, runs, deadline_restarted_at)
       VALUES (@name, @timeout, 0, @lastBeat, @state, @problem, @mutedSince, @since, @created, @beats, @runStarted, @runs, -1)`,
    );
    SERVICES.forEach((service, index) => {
      const random = wobble(index + 7);
      const beats: number[] = [];
      let at = now - service.lastBeatAgo;
      for (let count = service.beats ?? 21; count > 0; count--) {
        beats.unshift(Math.round(at));
        at -= service.every * (1 + (service.jitter ?? 0) * 2 * random());
      }
      const runs = service.runs
        ? beats.slice(-12).map((end, run, all) => {
            const failed = service.problem === 'failed' && run === all.length - 1;
            const duration = Math.round(service.every * 0.08 * (1 + random()));
            return { started_at: end - duration, ended_at: end, duration_ms: duration, result: failed ? 'failed' : 'ok' };
          })
        : [];
      const state = service.state ?? 'ok';
      const lastBeat = beats[beats.length - 1]!;
      // In error since the deadline passed (or the failed run); otherwise since it had its rhythm (new: its first beat).
      const since =
        state === 'error'
          ? service.problem
            ? lastBeat
            : lastBeat + service.timeout
          : state === 'new'
            ? beats[0]!
            : Math.min(lastBeat, beats[0]! + service.every * 2);
      insert.run({
        name: service.name,
        timeout: service.timeout,
        lastBeat,
        state,
        problem: service.problem ?? null,
        mutedSince: state === 'muted' ? now - 2 * DAY : null,
        since: state === 'muted' ? now - 2 * DAY : since,
        created: beats[0],
        beats: JSON.stringify(beats),
        runStarted: service.running ? now - 3 * MINUTE : null,
        runs: JSON.stringify(runs),
      });
    });
    // A window that is over (the API takes only windows that are still to end).
    database
      .prepare(
        `INSERT INTO maintenance_windows (name, starts_at, ends_at, timezone, all_targets, monitor_ids, agent_ids, created_at) VALUES ('Datacenter power test', ?, ?, 'UTC', 1, '[]', '[]', ?)`,
      )
      .run(now - 6 * DAY - 3 * HOUR, now - 6 * DAY - HOUR, now - 8 * DAY);
    // The backups alarm has been through six incidents; db-02's silence, 5 hours ago, is the seventh.
    const db02 = SERVICES.find((service) => service.name === 'backup.nightly.db-02')!;
    database
      .prepare(
        `INSERT OR REPLACE INTO heartbeat_alarms (name, definition, state, incident_nbr, last_state_change, created_at) VALUES ('backups', 'backups', 'error', 7, ?, ?)`,
      )
      .run(now - db02.lastBeatAgo + db02.timeout, now - 60 * DAY);
  } finally {
    database.close();
  }
}

/** A local HTTP receiver answering every request with `status` and `body` (the demo's webhook and Slack endpoints). */
export async function demoReceiver(status: number, body: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.writeHead(status, { 'content-type': 'text/plain' }).end(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface DemoReceivers {
  ok: string;
  failing: string;
}

/**
 * Channels, alarm definitions, maintenance windows over the demo's monitors, agents, and alerts (a job
 * failing and recovering, test sends), through the API as a user would.
 */
export async function seedThroughApi(
  server: PulseServer,
  admin: string,
  receivers: DemoReceivers,
  monitors: ReadonlyMap<string, number>,
): Promise<void> {
  const call = async (method: string, urlPath: string, json?: unknown) => {
    const response = await server.request(method, urlPath, { token: admin, json });
    if (response.status >= 400) throw new Error(`${method} ${urlPath}: ${response.status} ${response.text}`);
    return response.json as Record<string, any>;
  };
  await call('POST', '/api/alerts', { name: 'ops-webhook', type: 'webhook', settings: { url: `${receivers.ok}/hooks/pulse` } });
  await call('POST', '/api/alerts', {
    name: 'teams-bridge',
    type: 'webhook',
    settings: { url: `${receivers.failing}/teams/connector`, headers: { Authorization: 'Bearer demo' } },
  });
  await call('POST', '/api/alerts', {
    name: 'slack-oncall',
    type: 'slack',
    settings: { webhook_url: `${receivers.ok}/services/T000/B000/XXXX`, channel: '#oncall' },
    default: true,
  });
  await call('POST', '/api/alarms', { name: 'etl', pattern: 'etl.*', alerts: ['slack-oncall', 'teams-bridge'] });
  await call('POST', '/api/alarms', { name: 'worker-$id', pattern: 'queue.worker-$id', alerts: ['ops-webhook'] });
  await call('POST', '/api/alarms', { name: 'payments', includes: ['payments.*', 'cron.invoice-*'], excludes: ['payments.test.*'] });

  const monitor = (name: string) => {
    const id = monitors.get(name);
    if (id === undefined) throw new Error(`the demo has no monitor "${name}"`);
    return id;
  };
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  // Two host agents, as their first report makes them.
  const agents: Record<string, number> = {};
  for (const hostname of ['app-03', 'mail-01']) {
    const { token } = await call('POST', '/api/tokens', { name: `agent ${hostname}`, type: 'agent' });
    const sent = await server.request('POST', '/api/agent/metrics', {
      token,
      json: {
        hostname,
        os: 'Debian GNU/Linux 12 (bookworm), kernel 6.1.0 x64',
        uptime_s: 86_400 * 12,
        cpu: { percent: 14, load1: 0.4, load5: 0.3, load15: 0.3, cores: 8 },
        memory: { total: 16e9, used: 6e9, percent: 37.5 },
        swap: { total: 0, used: 0, percent: 0 },
        disks: [{ mount: '/', fs: 'ext4', size: 2e11, used: 9e10, percent: 45 }],
        net: [{ iface: 'eth0', rx_bps: 120_000, tx_bps: 80_000 }],
        collected_at: iso(now),
        interval: 30,
      },
    });
    agents[hostname] = (sent.json as { agent_id: number }).agent_id;
  }
  await call('POST', '/api/maintenance', {
    name: 'db-01 storage upgrade',
    starts_at: iso(now - 40 * MINUTE),
    ends_at: iso(now + 80 * MINUTE),
    services: 'backup.nightly.db-01',
    monitor_ids: [monitor('ERP database')],
  });
  await call('POST', '/api/maintenance', {
    name: 'Weekly patch window',
    cron: '0 2 * * SUN',
    duration_min: 120,
    timezone: 'Europe/Berlin',
    monitor_ids: [monitor('Webshop API'), monitor('Intranet')],
    agent_ids: [agents['app-03']!],
  });
  await call('POST', '/api/maintenance', {
    name: 'Nightly ETL pause',
    cron: '30 1 * * *',
    duration_min: 30,
    timezone: 'UTC',
    services: 'etl.*',
  });
  // A job fails and recovers: the payments alarm alerts its default channel twice (error, then ok).
  await call('POST', '/api/services/cron.invoice-export/fail');
  await call('POST', '/api/services/cron.invoice-export');
  for (const channel of ['ops-webhook', 'teams-bridge', 'slack-oncall', 'ops-mail']) await call('POST', `/api/alerts/${channel}/test`);
}
