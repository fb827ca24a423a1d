import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { after, before, describe, it } from 'node:test';
import { HttpReceiver } from '../peers/http-receiver.js';
import { PostgresPeer } from '../peers/postgres.js';
import { ClusterLab } from '../support/cluster-lab.js';
import { waitUntil } from '../support/wait.js';

/**
 * SPEC §12: a server cut off from PostgreSQL stops deciding (fenced) rather than acting on stale state —
 * it raises no alarm, says so in /readyz, and decides again once the database answers.
 */
const SERVICES = 12;
/** Long enough that beats sent every second stay in time on a loaded machine. */
const TIMEOUT_S = 10;
const CONFIG = (hook: HttpReceiver) =>
  [
    '[alerts.hook]',
    `webhook = "${hook.url}/hook"`,
    'default = true',
    '[alerting]',
    'storm_threshold = 1000',
    '[[alarms]]',
    'name = "hb-$name"',
    'pattern = "hb.$name.*"',
  ].join('\n');

/** Beats every service once a second (HTTP to `http`, or statsd to `udpPort`) until stopped. */
function beatLoop(send: (name: string) => Promise<void>) {
  let running = true;
  const loop = (async () => {
    while (running) {
      for (let index = 1; index <= SERVICES; index++) await send(`hb.s${index}.health`).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

const errorsIn = (entries: Record<string, unknown>[]) =>
  entries.filter((entry) => entry.to === 'error').map((entry) => `${entry.kind} ${entry.name}`);

describe(
  'a server cut off from PostgreSQL (its connection silent)',
  { skip: !ClusterLab.available() && 'needs the test PostgreSQL' },
  () => {
    let lab: ClusterLab;
    let hook: HttpReceiver;
    let stopBeating: () => Promise<void> = async () => undefined;

    before(async () => {
      hook = await HttpReceiver.start();
      lab = await ClusterLab.start({ servers: 2, relayed: [1], leaseSeconds: 5, config: CONFIG(hook) });
    });
    after(async () => {
      await stopBeating();
      await lab?.dispose();
      await hook?.stop();
    });

    it('is fenced: decides nothing, raises no alarm from what it last knew, says so in /readyz, and comes back', async () => {
      const [healthy, cutOff] = [lab.server(0), lab.server(1)];
      stopBeating = beatLoop(async (name) => {
        const response = await healthy.request('POST', `/api/services/${name}?timeout=${TIMEOUT_S}`);
        assert.equal(response.status, 200);
      });
      await waitUntil(
        'every service ok on both servers',
        async () => {
          for (const server of [healthy, cutOff]) {
            const { services } = (await server.request('GET', '/api/services', { token: lab.adminToken })).json;
            if ((services as { state: string }[]).filter((service) => service.state === 'ok').length < SERVICES) return false;
          }
          return true;
        },
        30_000,
      );
      const decidedByCutOff = await waitUntil('srv2 deciding some of the services', async () => {
        const { servers } = await lab.overview(0);
        return Number(servers.find((server) => server.name === 'srv2')?.work.services ?? 0);
      });
      assert.ok(decidedByCutOff > 0);

      lab.relays.get(1)!.freeze();
      const fenced = await waitUntil(
        'srv2 fenced in /readyz',
        async () => {
          const ready = await cutOff.request('GET', '/readyz');
          return ready.status === 503 && ready.json.checks.cluster === 'failing' ? ready.json : null;
        },
        30_000,
      );
      assert.match(fenced.reasons.cluster, /^fenced since .*decides nothing until PostgreSQL answers again$/);
      await lab.waitBalanced(1, 30_000);
      // Beats go on through srv1 only: srv2 sees none of them; deciding from what it last knew would raise every alarm.
      await new Promise((resolve) => setTimeout(resolve, 2 * TIMEOUT_S * 1000));
      assert.deepEqual(errorsIn(lab.eventLog(1)), [], 'the cut-off server judged nothing');

      lab.relays.get(1)!.thaw();
      const thawedAt = new Date().toISOString();
      await waitUntil('srv2 ready again', async () => (await cutOff.request('GET', '/readyz')).status === 200, 30_000);
      await lab.waitBalanced(2, 30_000);
      await new Promise((resolve) => setTimeout(resolve, TIMEOUT_S * 1000));
      await stopBeating();
      const judged = [0, 1].flatMap((index) =>
        lab
          .eventLog(index)
          .filter((entry) => entry.to === 'error')
          .map((entry) => `${lab.name(index)} at ${String(entry.time)}: ${entry.kind} ${entry.name} (last beat ${String(entry.last_beat)})`),
      );
      assert.deepEqual(judged, [], `errors judged (srv2 thawed at ${thawedAt})\n${lab.output()}`);
      assert.deepEqual(
        hook.requests.map((request) => request.body),
        [],
        'no alert at all',
      );
      const { services } = (await cutOff.request('GET', '/api/services', { token: lab.adminToken })).json;
      assert.deepEqual(
        (services as { name: string; state: string }[]).map((service) => service.state),
        new Array(SERVICES).fill('ok'),
        'srv2 shows what srv1 decided meanwhile',
      );
    });
  },
);

describe('the only server, its PostgreSQL frozen', { skip: !PostgresPeer.binDir() && 'needs PostgreSQL' }, () => {
  let postgres: PostgresPeer;
  let lab: ClusterLab;
  let hook: HttpReceiver;
  let udp: dgram.Socket;
  let stopBeating: () => Promise<void> = async () => undefined;

  before(async () => {
    hook = await HttpReceiver.start();
    postgres = await PostgresPeer.start();
    lab = await ClusterLab.start({ servers: 1, leaseSeconds: 5, databaseUrl: postgres.url, config: CONFIG(hook) });
    udp = dgram.createSocket('udp4');
  });
  after(async () => {
    await stopBeating();
    udp?.close();
    postgres?.thaw();
    await lab?.dispose();
    await postgres?.stop();
    await hook?.stop();
  });

  it('keeps taking statsd beats, judges nothing while fenced, and raises no alarm when the database is back', async () => {
    const server = lab.server(0);
    stopBeating = beatLoop(
      (name) =>
        new Promise((resolve, reject) =>
          udp.send(`${name}.beat:1|c\n${name}.timeout:${TIMEOUT_S}|g\n`, server.udpPort, '127.0.0.1', (error) =>
            error ? reject(error) : resolve(),
          ),
        ),
    );
    await waitUntil(
      'every service ok',
      async () => {
        const { services } = (await server.request('GET', '/api/services', { token: lab.adminToken })).json;
        return (services as { state: string }[]).filter((service) => service.state === 'ok').length === SERVICES;
      },
      30_000,
    );

    postgres.freeze();
    try {
      await waitUntil(
        'fenced in /readyz',
        async () => {
          const ready = await server.request('GET', '/readyz');
          return ready.status === 503 && ready.json.checks.cluster === 'failing';
        },
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, 2 * TIMEOUT_S * 1000));
      // Tokens live in the database: only the open status endpoint answers now.
      const status = await server.request('GET', '/api/status', { headers: { accept: 'application/json' } });
      assert.deepEqual(status.json, { num_ok: SERVICES, num_error: 0, has_error: false, good: true }, 'nothing judged in error');
    } finally {
      postgres.thaw();
    }
    await waitUntil('ready again', async () => (await server.request('GET', '/readyz')).status === 200, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    await stopBeating();
    assert.deepEqual(errorsIn(lab.eventLog(0)), []);
    assert.deepEqual(
      hook.requests.map((request) => request.body),
      [],
      'no alert at all',
    );
  });
});
