import { Injectable } from '@nestjs/common';
import { Clock } from '../runtime/clock.js';
import { ClusterRepository } from './cluster.repository.js';
import { ClusterService } from './cluster.service.js';
import { serverState, type ServerState } from './server-state.js';
import { SHARD_COUNT } from './shard-of.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export interface ClusterServerView {
  id: string;
  name: string;
  host: string;
  pid: number;
  version: string;
  address: string;
  state: ServerState;
  this_server: boolean;
  started_at: string | null;
  last_heard_at: string | null;
  silent_for_ms: number;
  shards: number;
  /** What it decided for at its last renewal: `monitors` (checks it runs), `services`, `alarms`, `pollers`, `agents`. */
  work: Record<string, number | boolean>;
}

/** The read side of the cluster: GET /api/cluster and the console's Cluster page. */
@Injectable()
export class ClusterQuery {
  constructor(
    private readonly repository: ClusterRepository,
    private readonly cluster: ClusterService,
    private readonly clock: Clock,
  ) {}

  async overview() {
    const status = this.cluster.status();
    const rows = await this.repository.servers(this.clock.now());
    const servers: ClusterServerView[] = rows.map((row) => {
      const me = row.id === status.me;
      const work = me ? this.cluster.describeWork() : parseWork(row.work);
      return {
        id: row.id,
        name: row.name,
        host: row.host,
        pid: row.pid,
        version: row.version,
        address: me ? this.cluster.address() : row.address,
        state: serverState(
          {
            stopped: row.stoppedAt !== null,
            sessionAlive: row.sessionAlive,
            silentForMs: me ? 0 : row.silentForMs,
            fenced: me ? status.fenced !== null : work.fenced === true,
          },
          status.leaseMs,
        ),
        this_server: me,
        started_at: iso(row.startedAt),
        last_heard_at: iso(row.heardAt),
        silent_for_ms: Math.max(0, row.silentForMs),
        shards: me ? (status.clustered ? status.shards : SHARD_COUNT) : row.shards,
        work,
      };
    });
    const order: Record<ServerState, number> = { active: 0, fenced: 1, unreachable: 2, stopped: 3 };
    servers.sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    return {
      database: status.clustered ? 'postgres' : 'sqlite',
      clustered: status.clustered,
      this_server: status.me,
      fenced: status.fenced ? { since: iso(status.fenced.since), reason: status.fenced.reason } : null,
      lease_seconds: status.leaseMs / 1000,
      shards: SHARD_COUNT,
      now: this.clock.now(),
      servers,
    };
  }
}

function parseWork(text: string): Record<string, number | boolean> {
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, number | boolean>) : {};
  } catch {
    return {};
  }
}
