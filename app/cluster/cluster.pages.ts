import { Req } from '@nestjs/common';
import { ConsoleController, Page } from '../web/console-pages.js';
import { view } from '../web/console-results.js';
import type { ConsoleRequest } from '../web/console-session.resolver.js';
import { ClusterQuery, type ClusterServerView } from './cluster.query.js';

const FRAGMENTS = { 'cluster-servers': 'cluster/servers' };
/** What each kind of work is called on the page. */
const WORK: [key: string, label: string][] = [
  ['monitors', 'checks'],
  ['services', 'heartbeats'],
  ['alarms', 'alarms'],
  ['pollers', 'pollers'],
  ['agents', 'agents'],
];

/** The Cluster page (SPEC §12): the servers of the installation, what each decides for, and when each was last heard from. */
@ConsoleController('cluster')
export class ClusterPages {
  constructor(private readonly query: ClusterQuery) {}

  @Page('', { title: 'Cluster', nav: { order: 850, group: 'Administration' } })
  async list(@Req() _request: ConsoleRequest) {
    const overview = await this.query.overview();
    const servers = overview.servers.map((server) => this.row(server, overview.now));
    return view(
      'cluster/index',
      {
        title: 'Cluster',
        clustered: overview.clustered,
        database: overview.database === 'postgres' ? 'PostgreSQL' : 'SQLite',
        leaseSeconds: overview.lease_seconds,
        shards: overview.shards,
        fenced: overview.fenced,
        servers,
        active: servers.filter((server) => server.state === 'active').length,
      },
      { fragments: FRAGMENTS },
    );
  }

  private row(server: ClusterServerView, now: number) {
    return {
      id: server.id,
      name: server.name,
      host: server.host,
      pid: server.pid,
      version: server.version,
      address: server.address,
      state: server.state,
      thisServer: server.this_server,
      startedAt: server.started_at ? Date.parse(server.started_at) : null,
      heardAt: now - server.silent_for_ms,
      shards: server.shards,
      work: WORK.filter(([key]) => typeof server.work[key] === 'number' && (server.work[key] as number) > 0).map(([key, label]) => ({
        count: server.work[key],
        label,
      })),
    };
  }
}
