/**
 * Demo pollers and agents for the screenshots of the Pollers and Agents pages: three pollers (two that
 * keep reporting results for their monitors while the shots are taken, one offline for hours), and
 * three host agents with a day of minute history sent as their outbox would send it, one of them with a
 * disk over its threshold.
 */
import Database from 'better-sqlite3';
import path from 'node:path';
import type { PulseServer } from '../test/peers/pulse-server.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface DemoPoller {
  name: string;
  location: string;
  /** Monitors it checks, by name (those the demo has). */
  monitors: string[];
  /** Offline for this long when the shots are taken; reporting otherwise. */
  offlineFor?: number;
  outbox: { queued: number; dropped: number };
  latencyMs: number;
}

const POLLERS: DemoPoller[] = [
  // The intranet hosts, checked from both offices as well; the other pages' monitors keep their one source.
  {
    name: 'Frankfurt Office',
    location: 'FFM',
    monitors: ['Intranet', 'Wiki', 'ERP database'],
    outbox: { queued: 0, dropped: 0 },
    latencyMs: 18,
  },
  { name: 'Ludwigsburg', location: 'LuWi', monitors: ['Intranet', 'Wiki'], outbox: { queued: 1240, dropped: 0 }, latencyMs: 27 },
  {
    name: 'Hamburg DC',
    location: 'HH',
    monitors: [],
    offlineFor: 3 * HOUR + 20 * MINUTE,
    outbox: { queued: 0, dropped: 312 },
    latencyMs: 9,
  },
];

interface DemoAgent {
  hostname: string;
  cores: number;
  memoryGb: number;
  cpu: (hour: number) => number;
  memory: (hour: number) => number;
  disks: { mount: string; fs: string; sizeGb: number; percent: (hour: number) => number }[];
}

const wave =
  (base: number, swing: number, phase = 0) =>
  (hour: number) =>
    Math.max(
      1,
      Math.min(99, base + swing * Math.sin(((hour + phase) / 24) * 2 * Math.PI) + 2 * Math.sin(hour * 1.7) + Math.sin(hour * 4.1)),
    );

const AGENTS: DemoAgent[] = [
  {
    hostname: 'web-01',
    cores: 8,
    memoryGb: 16,
    cpu: wave(34, 22, 4),
    memory: wave(58, 6),
    disks: [
      { mount: '/', fs: 'ext4', sizeGb: 80, percent: () => 41 },
      { mount: '/var/log', fs: 'ext4', sizeGb: 20, percent: (hour) => 52 + hour * 0.4 },
    ],
  },
  {
    hostname: 'db-01',
    cores: 16,
    memoryGb: 64,
    cpu: wave(21, 9, 10),
    memory: wave(81, 2),
    disks: [
      { mount: '/', fs: 'ext4', sizeGb: 50, percent: () => 37 },
      { mount: '/var/lib/postgresql', fs: 'xfs', sizeGb: 2000, percent: (hour) => 86 + hour * 0.3 },
    ],
  },
  {
    hostname: 'backup-01',
    cores: 4,
    memoryGb: 8,
    cpu: (hour) => (hour > 1.5 && hour < 4 ? 88 : 6 + 2 * Math.sin(hour)),
    memory: wave(30, 5),
    disks: [
      { mount: '/', fs: 'ext4', sizeGb: 40, percent: () => 22 },
      { mount: '/srv/backup', fs: 'xfs', sizeGb: 12000, percent: () => 64 },
    ],
  },
];

/** One report of a demo agent `hoursAgo` before `now`. */
function agentReport(agent: DemoAgent, at: number, now: number) {
  const hour = 24 - (now - at) / HOUR; // 0 a day ago … 24 now
  const memory = agent.memory(hour);
  return {
    hostname: agent.hostname,
    os: 'Debian GNU/Linux 12 (bookworm)',
    version: '0.1.0',
    uptime_s: Math.round((41 * 24 * HOUR + (at - now + 24 * HOUR)) / 1000),
    cpu: {
      percent: round(agent.cpu(hour)),
      load1: round(agent.cpu(hour) / 25),
      load5: round(agent.cpu(hour) / 28),
      load15: round(agent.cpu(hour) / 30),
      cores: agent.cores,
    },
    memory: { total: agent.memoryGb * 1e9, used: Math.round((agent.memoryGb * 1e9 * memory) / 100), percent: round(memory) },
    swap: { total: 2e9, used: 1.2e8, percent: 6 },
    disks: agent.disks.map((disk) => {
      const percent = round(Math.min(99, disk.percent(hour)));
      return { mount: disk.mount, fs: disk.fs, size: disk.sizeGb * 1e9, used: Math.round((disk.sizeGb * 1e9 * percent) / 100), percent };
    }),
    net: [{ iface: 'eth0', rx_bps: Math.round(2e5 + 1e5 * Math.sin(hour)), tx_bps: Math.round(8e4 + 3e4 * Math.cos(hour)) }],
    collected_at: new Date(at).toISOString(),
    interval: 30,
  };
}

const round = (value: number) => Math.round(value * 10) / 10;

export interface RemoteDemo {
  pollers: { id: number; token: string; spec: DemoPoller }[];
  agents: { id: number; token: string; hostname: string }[];
}

/** Registers the pollers and assigns their monitors, and sends each agent a day of minute reports. */
export async function seedPollersAndAgents(server: PulseServer, admin: string, monitors: ReadonlyMap<string, number>): Promise<RemoteDemo> {
  const call = async (method: string, urlPath: string, json?: unknown, token = admin) => {
    const response = await server.request(method, urlPath, { token, json });
    if (response.status >= 400) throw new Error(`${method} ${urlPath}: ${response.status} ${response.text}`);
    return response.json as Record<string, any>;
  };
  const demo: RemoteDemo = { pollers: [], agents: [] };
  for (const spec of POLLERS) {
    const { token } = await call('POST', '/api/tokens', { name: `poller ${spec.location}`, type: 'poller' });
    const { id } = await call('POST', '/api/poller/register', { name: spec.name, location: spec.location, version: '0.1.0' }, token);
    const ids = spec.monitors.flatMap((name) => (monitors.has(name) ? [monitors.get(name)!] : []));
    await call('PUT', `/api/poller/${id}/assign`, { monitor_ids: ids });
    demo.pollers.push({ id, token, spec });
  }
  const now = Date.now();
  for (const agent of AGENTS) {
    const { token } = await call('POST', '/api/tokens', { name: `agent ${agent.hostname}`, type: 'agent' });
    const samples = [];
    for (let at = now - 24 * HOUR; at <= now; at += MINUTE) samples.push(agentReport(agent, at, now));
    let id = 0;
    for (let start = 0; start < samples.length; start += 2000) {
      const sent = await call(
        'POST',
        '/api/agent/metrics',
        { samples: samples.slice(start, start + 2000), sent_at: new Date().toISOString() },
        token,
      );
      id = sent.agent_id;
    }
    demo.agents.push({ id, token, hostname: agent.hostname });
  }
  await call('PUT', `/api/agents/${demo.agents.find((agent) => agent.hostname === 'backup-01')!.id}/thresholds`, {
    cpu_percent: 95,
    disk_percent: 80,
  });
  return demo;
}

/** In a stopped server's database: the offline poller silent for hours, and each poller's outbox figures. */
export function writeRemoteHistory(dataDir: string, demo: RemoteDemo, now: number): void {
  const database = new Database(path.join(dataDir, 'pulse.db'));
  try {
    const update = database.prepare(
      'UPDATE pollers SET offline = @offline, last_seen_at = @lastSeen, state_changed_at = @changed, outbox_queued = @queued, outbox_dropped = @dropped, outbox_reported_at = @reported, created_at = @created WHERE id = @id',
    );
    for (const { id, spec } of demo.pollers) {
      const silent = spec.offlineFor ?? 0;
      update.run({
        id,
        offline: silent > 0 ? 1 : 0,
        lastSeen: now - silent,
        changed: silent > 0 ? now - silent + 90_000 : now - 6 * 24 * HOUR,
        queued: spec.outbox.queued,
        dropped: spec.outbox.dropped,
        reported: now - silent - 20_000,
        created: now - 40 * 24 * HOUR,
      });
    }
  } finally {
    database.close();
  }
}

/**
 * While the shots are taken: the online pollers fetch their tasks and report a result for each, and
 * every agent reports, so the pages show them current. Returns a stop function.
 */
export function keepRemoteDemoAlive(server: PulseServer, demo: RemoteDemo): () => Promise<void> {
  let running = true;
  const round = async () => {
    const now = Date.now();
    for (const { token, spec } of demo.pollers) {
      if (spec.offlineFor) continue;
      const tasks = await server.request('GET', '/api/poller/tasks', { token });
      const list = ((tasks.json as { tasks?: { monitor_id?: number; id?: number }[] } | null)?.tasks ?? []).map(
        (task) => task.monitor_id ?? task.id,
      );
      const results = list
        .filter((id): id is number => typeof id === 'number')
        .map((monitorId) => ({
          monitor_id: monitorId,
          status: 'up',
          latency_ms: spec.latencyMs + Math.round(Math.random() * 6),
          message: 'HTTP 200',
          checked_at: new Date(now).toISOString(),
        }));
      if (results.length > 0) await server.request('POST', '/api/poller/results', { token, json: { results, outbox: spec.outbox } });
    }
    for (const agent of demo.agents) {
      const spec = AGENTS.find((one) => one.hostname === agent.hostname)!;
      await server.request('POST', '/api/agent/metrics', { token: agent.token, json: agentReport(spec, now, now) });
    }
  };
  const loop = (async () => {
    while (running) {
      await round().catch((error: Error) => process.stderr.write(`[screenshots] demo pollers/agents: ${error.message}\n`));
      for (let waited = 0; running && waited < 20_000; waited += 500) await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}
