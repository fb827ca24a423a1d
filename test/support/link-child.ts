/**
 * A remote role reduced to its link, for the crash test: queues items numbered from LINK_FIRST at one per
 * LINK_EVERY_MS, printing `queued <n>` once each is in the outbox, and sends them to LINK_SERVER. It runs
 * until killed (or, with LINK_COUNT, until that many are queued and everything is sent).
 */
import { Link } from '../../app/link/link.js';
import { createLogger } from '../../app/logging/pulse-logger.js';
import type { PollerConfig } from '../../app/config/remote-config.schema.js';

const env = process.env;
const logger = createLogger({ debug: false, syslog: false, tag: 'link-child' });
const config = {
  server: env.LINK_SERVER!,
  token: `sw_poller_${'ab'.repeat(32)}`,
  ca_file: '',
  insecure_skip_verify: false,
  outbox_max_mb: 64,
  outbox_max_age_hours: 24,
  data_dir: env.LINK_DATA_DIR!,
} as PollerConfig;
const link = Link.open({
  config,
  role: 'poller',
  path: '/api/poller/results',
  itemsKey: 'results',
  noun: 'results',
  logger,
  flushIntervalMs: Number(env.LINK_FLUSH_MS ?? 5000),
  maxItems: Number(env.LINK_BATCH ?? 500),
});
link.start();
let next = Number(env.LINK_FIRST ?? 1);
const last = env.LINK_COUNT ? next + Number(env.LINK_COUNT) - 1 : Infinity;
const every = Number(env.LINK_EVERY_MS ?? 2);
const timer = setInterval(() => {
  for (let burst = 0; burst < 5 && next <= last; burst++) {
    link.enqueue({ id: next, checked_at: new Date().toISOString() });
    process.stdout.write(`queued ${next}\n`);
    next++;
  }
  if (next > last) {
    clearInterval(timer);
    const done = setInterval(() => {
      if (link.stats().queued === 0) {
        clearInterval(done);
        process.stdout.write('all sent\n');
        void link.close();
      }
    }, 20);
  }
}, every);
