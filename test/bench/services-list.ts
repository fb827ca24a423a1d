/**
 * `npm run bench:services-list`: what one `GET /api/services` list costs at 100,000 services, read
 * through the ServicesQuery of a real heartbeat engine (on a SQLite file). Prints the median of repeated
 * reads per kind of list, next to what the list used to do (sort every service per request); asserts
 * nothing. Every loop is bounded in count.
 *
 *   page 1 by name        ?per_page=50             walks the kept name order
 *   after 100 new names   ?per_page=50             merges the new names into the order, then walks
 *   page 1000 by name     ?page=1000&per_page=50   walks to the page
 *   filtered              ?state=error&per_page=50 one pass, counting the total
 *   by last beat          ?sort=-last_beat&per_page=50   one pass with a 50-item heap
 *   everything            (Lovebeat's default)     all 100,000 views, in name order
 *   old: sort per request                          what HeartbeatsService.list did before
 */
import { EventEmitter2 } from '@nestjs/event-emitter';
import { ServerConfig } from '../../app/config/config.schema.js';
import { storageHealthOf } from '../../app/database/storage-health.js';
import { EventBus } from '../../app/events/pulse-events.js';
import { HeartbeatEngine } from '../../app/heartbeats/heartbeat-engine.js';
import { HeartbeatMaintenance } from '../../app/heartbeats/heartbeat-maintenance.js';
import { HeartbeatRepository } from '../../app/heartbeats/heartbeat.repository.js';
import { HeartbeatStore } from '../../app/heartbeats/heartbeat-store.js';
import { serviceView } from '../../app/heartbeats/heartbeat.views.js';
import { ServicesQuery } from '../../app/heartbeats/services.query.js';
import { MaintenanceRepository } from '../../app/maintenance/maintenance.repository.js';
import { MaintenanceService } from '../../app/maintenance/maintenance.service.js';
import { MetricsService } from '../../app/metrics/metrics.service.js';
import { Clock } from '../../app/runtime/clock.js';
import { createTestDatabase, openDataSource } from '../support/databases.js';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 100_000);
const RUNS = 20;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median ms of `runs` calls; `before` runs untimed ahead of each call. */
function time(work: () => unknown, before: () => void = () => undefined, runs = RUNS): number {
  const durations: number[] = [];
  for (let run = 0; run < runs; run++) {
    before();
    const started = performance.now();
    work();
    durations.push(performance.now() - started);
  }
  return median(durations);
}

async function main(): Promise<void> {
  const database = await createTestDatabase('sqlite');
  const dataSource = await openDataSource(database);
  const config = new ServerConfig();
  config.heartbeat.max_services = SERVICES + 10_000;
  const clock = new Clock();
  const events = new EventBus(new EventEmitter2());
  const metrics = new MetricsService();
  const repository = new HeartbeatRepository(dataSource);
  const maintenance = new MaintenanceService(new MaintenanceRepository(dataSource), events, clock);
  const engine = new HeartbeatEngine(
    config.heartbeat,
    clock,
    events,
    new HeartbeatStore(repository, events, metrics, storageHealthOf(dataSource)),
    repository,
    new HeartbeatMaintenance(maintenance),
    metrics,
  );
  await engine.onModuleInit();
  const query = new ServicesQuery(engine);

  // Names beaten in no order; every hundredth one fails.
  const started = performance.now();
  for (let index = 0; index < SERVICES; index++) {
    const name = `svc.${((index * 7919) % SERVICES).toString(36)}.health`;
    engine.update(name, { beat: true }, 'udp');
    if (index % 100 === 0) engine.fail(name, 'udp');
  }
  const created = performance.now() - started;
  await engine.flush();

  const page = { page: 1, perPage: 50 };
  let fresh = 0;
  const figures: [string, number][] = [
    ['page 1 by name (first read: sorts once)', time(() => query.list({}, page), undefined, 1)],
    ['page 1 by name', time(() => query.list({}, page))],
    [
      'page 1 by name after 100 new names',
      time(
        () => query.list({}, page),
        () => {
          for (let index = 0; index < 100; index++) engine.update(`new.${fresh++}`, { beat: true }, 'udp');
        },
      ),
    ],
    ['page 1000 by name', time(() => query.list({}, { page: 1000, perPage: 50 }))],
    ['state=error, page 1', time(() => query.list({ state: 'error' }, page))],
    ['q=abc, page 1', time(() => query.list({ q: 'abc' }, page))],
    ['sort=-last_beat, page 1', time(() => query.list({ sort: 'last_beat', descending: true }, page))],
    ['everything by name (Lovebeat default)', time(() => query.list({}, { page: 1, perPage: null }), undefined, 5)],
    [
      'old: sort every service per request, all views',
      time(() => [...engine.services.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(serviceView), undefined, 5),
    ],
    [
      'old: sort every service, then take page 1',
      time(
        () =>
          [...engine.services.values()]
            .sort((a, b) => (a.name < b.name ? -1 : 1))
            .slice(0, 50)
            .map(serviceView),
        undefined,
        5,
      ),
    ],
  ];

  console.log(`services-list bench: ${engine.services.size} services (made in ${(created / 1000).toFixed(1)} s), Node ${process.version}`);
  for (const [what, ms] of figures) console.log(`  ${what.padEnd(48)} ${ms.toFixed(2).padStart(9)} ms`);

  await engine.onApplicationShutdown();
  await dataSource.destroy();
  await database.dispose();
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
