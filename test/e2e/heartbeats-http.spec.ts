import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PulseServer } from '../peers/pulse-server.js';
import { runCommand } from '../support/processes.js';
import { skipUnlessInstalled } from '../support/debian-peers.js';

const needsCurl = { skip: skipUnlessInstalled('curl') };

const curl = async (...args: string[]) => (await runCommand('curl', ['-s', '--max-time', '10', ...args])).stdout;

describe('heartbeat HTTP API, Lovebeat-compatible (SPEC §6)', () => {
  let server: PulseServer;
  let admin: string;

  before(async () => {
    server = await PulseServer.start({ config: '[[alarms]]\nname = "server-$name"\npattern = "application-name.$name.*"\n' });
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  const service = async (name: string) => (await server.request('GET', `/api/services/${name}`, { token: admin })).json.service;

  it("takes beats from curl in the four ways of Lovebeat's manual, answering {}", needsCurl, async () => {
    const url = `${server.baseUrl}/api/services/invoice.mailer`;
    assert.equal(await curl('-X', 'POST', url), '{}');
    assert.equal((await service('invoice.mailer')).timeout, -1);
    assert.equal(await curl('-d', 'timeout=3600', url), '{}');
    assert.equal((await service('invoice.mailer')).timeout, 3_600_000);
    assert.equal(await curl('-X', 'POST', `${url}?timeout=60`), '{}');
    assert.equal((await service('invoice.mailer')).timeout, 60_000);
    assert.equal(await curl('-H', 'Content-Type: application/json', '-d', '{"timeout":3600}', url), '{}');
    assert.equal((await service('invoice.mailer')).timeout, 3_600_000);
    assert.equal(await curl('-H', 'Content-Type: application/json; charset=utf-8', '-d', '{"timeout":"auto"}', url), '{}');
    assert.equal((await service('invoice.mailer')).timeout, -2);
    assert.equal(await curl('-d', 'timeout=auto', url), '{}');
  });

  it('sets without a beat on {"beat": false}, and refuses invalid values with 400 and no beat', async () => {
    await server.request('POST', '/api/services/quiet.one', { json: { timeout: 30, beat: false } });
    const quiet = await service('quiet.one');
    assert.deepEqual([quiet.timeout, quiet.last_beat, quiet.state], [30_000, -1, 'new']);

    const cases: [Record<string, unknown> | string, RegExp][] = [
      [{ timeout: 0 }, /^timeout: must be seconds \(more than 0/],
      [{ timeout: 'soon' }, /^timeout: must be seconds .* not "soon"$/],
      [{ timeout: -3 }, /^timeout: must be seconds/],
      [{ timeout: [60] }, /^timeout: must be a number of seconds or "auto"$/],
      [{ beat: 'maybe' }, /^beat: must be true or false/],
      [{ timeuot: 60 }, /^timeuot: unknown field/],
    ];
    for (const [json, message] of cases) {
      const response = await server.request('POST', '/api/services/quiet.two', { json });
      assert.equal(response.status, 400, JSON.stringify(json));
      assert.equal(response.json.error, 'validation_failed');
      assert.match(response.json.message, message);
      const field = Object.keys(json)[0]!;
      assert.deepEqual(Object.keys(response.json.fields), [field], 'fields names the bad one');
    }
    const query = await server.request('POST', '/api/services/quiet.two?timeout=-5');
    assert.equal(query.status, 400);
    const form = await server.request('POST', '/api/services/quiet.two', {
      body: 'timeout=abc',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(form.status, 400);
    assert.equal((await server.request('GET', '/api/services/quiet.two', { token: admin })).status, 404, 'no beat happened');
    const badName = await server.request('POST', '/api/services/bad%20name');
    assert.equal(badName.status, 400);
    assert.match(badName.json.message, /^name: service names are 1 to 255 characters/);
  });

  it('answers /api/status in four text lines, JSON on request, and works with the nagios plugin', needsCurl, async () => {
    await server.request('POST', '/api/services/application-name.alpha.health', { json: { timeout: 0.001 } });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await server.request('GET', '/api/status');
    assert.equal(text.status, 200);
    assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    const counts = (await server.request('GET', '/api/services', { token: admin })).json.services.reduce(
      (sum: { ok: number; error: number }, item: { state: string }) =>
        item.state === 'error' ? { ...sum, error: sum.error + 1 } : { ...sum, ok: sum.ok + 1 },
      { ok: 0, error: 0 },
    );
    assert.ok(counts.error >= 1);
    assert.equal(text.text, `num_ok ${counts.ok}\nnum_error ${counts.error}\nhas_error true\ngood false\n`);
    const json = await server.request('GET', '/api/status', { headers: { accept: 'application/json' } });
    assert.deepEqual(json.json, { num_ok: counts.ok, num_error: counts.error, has_error: true, good: false });

    const nagios = await runCommand('sh', [
      '-c',
      `curl -f -s ${server.baseUrl}/api/status | awk '/^num_ok/ {ok=$2} /^num_error/ {err=$2} END {print ok, err}'`,
    ]);
    assert.equal(nagios.stdout, `${counts.ok} ${counts.error}\n`);

    const alarm = await server.request('GET', '/api/alarms/server-alpha/status');
    assert.equal(alarm.text, 'num_ok 0\nnum_error 1\nhas_error true\ngood false\n');
    const alarmJson = await server.request('GET', '/api/alarms/server-alpha/status', {
      headers: { accept: 'text/html, application/json' },
    });
    assert.deepEqual(alarmJson.json, { num_ok: 0, num_error: 1, has_error: true, good: false });
    assert.equal((await server.request('GET', '/api/alarms/nope/status')).status, 404);
  });

  it('lists, shows with details, mutes, unmutes and deletes services (admin only)', async () => {
    assert.equal((await server.request('GET', '/api/services')).status, 401);
    const list = await server.request('GET', '/api/services', { token: admin });
    assert.ok(Number.isInteger(list.json.now));
    const health = list.json.services.find((item: { name: string }) => item.name === 'application-name.alpha.health');
    assert.deepEqual(Object.keys(health).slice(0, 10), [
      'name',
      'last_beat',
      'timeout',
      'effective_timeout',
      'state',
      'muted_since',
      'last_state_change',
      'in_alarms',
      'analysis',
      'min_interval',
    ]);
    assert.deepEqual(health.in_alarms, ['server-alpha']);
    const details = await server.request('GET', '/api/services/application-name.alpha.health?details=1', { token: admin });
    assert.equal(details.json.service.beat_history.length, 1);
    assert.deepEqual(details.json.service.intervals, []);

    assert.equal((await server.request('POST', '/api/services/application-name.alpha.health/mute')).status, 401);
    assert.deepEqual((await server.request('POST', '/api/services/application-name.alpha.health/mute', { token: admin })).json, {});
    const muted = await service('application-name.alpha.health');
    assert.equal(muted.state, 'muted');
    assert.ok(muted.muted_since > 0);
    assert.equal(
      (await server.request('GET', '/api/alarms/server-alpha', { token: admin })).json.alarm.state,
      'ok',
      'muted services raise no alarm',
    );
    await server.request('POST', '/api/services/application-name.alpha.health/unmute', { token: admin });
    assert.equal((await service('application-name.alpha.health')).state, 'error');
    assert.deepEqual((await server.request('DELETE', '/api/services/application-name.alpha.health', { token: admin })).json, {});
    assert.equal((await server.request('GET', '/api/services/application-name.alpha.health', { token: admin })).status, 404);
    assert.equal((await server.request('DELETE', '/api/services/application-name.alpha.health', { token: admin })).status, 404);
  });

  it('records runs over HTTP with /start and /fail', async () => {
    assert.deepEqual((await server.request('POST', '/api/services/job.report/start')).json, {});
    await server.request('POST', '/api/services/job.report/fail');
    const failed = await service('job.report');
    assert.equal(failed.state, 'error');
    assert.equal(failed.problem, 'failed');
    assert.equal(failed.last_run.result, 'failed');
    assert.ok(failed.last_run.duration_ms >= 0);
    await server.request('POST', '/api/services/job.report');
    assert.equal((await service('job.report')).state, 'ok');
  });

  it('manages alarms: lazily created, POST with the [[alarms]] fields, DELETE only when empty', async () => {
    await server.request('POST', '/api/services/application-name.beta.health');
    const alarms = await server.request('GET', '/api/alarms', { token: admin });
    const beta = alarms.json.alarms.find((item: { name: string }) => item.name === 'server-beta');
    assert.deepEqual(beta, {
      name: 'server-beta',
      state: 'ok',
      incident_nbr: 0,
      failed_services: 0,
      last_state_change: beta.last_state_change,
      definition: 'server-$name',
      alerts: [],
    });

    const created = await server.request('POST', '/api/alarms', {
      token: admin,
      json: { name: 'jobs', includes: ['job.*'], excludes: ['job.ignored'], alerts: ['ops-mail'] },
    });
    assert.equal(created.status, 201);
    const jobs = await server.request('GET', '/api/alarms/jobs', { token: admin });
    assert.deepEqual(
      jobs.json.services.map((item: { name: string }) => item.name),
      ['job.report'],
      'existing services join a new alarm',
    );
    assert.equal((await server.request('POST', '/api/alarms', { token: admin, json: { name: 'jobs', pattern: 'x.*' } })).status, 409);
    const invalid = await server.request('POST', '/api/alarms', { token: admin, json: { name: 'host-$h', pattern: 'hosts.*' } });
    assert.equal(invalid.status, 400);
    assert.match(invalid.json.message, /the name uses \$h but the pattern "hosts\.\*" does not contain \$h/);

    const busy = await server.request('DELETE', '/api/alarms/server-beta', { token: admin });
    assert.equal(busy.status, 409);
    await server.request('DELETE', '/api/services/application-name.beta.health', { token: admin });
    assert.deepEqual((await server.request('DELETE', '/api/alarms/server-beta', { token: admin })).json, {});
    assert.equal((await server.request('GET', '/api/alarms/server-beta', { token: admin })).status, 404);
    await server.request('POST', '/api/services/application-name.beta.health');
    assert.equal(
      (await server.request('GET', '/api/alarms/server-beta', { token: admin })).status,
      200,
      'it reappears with a matching service',
    );

    await server.request('POST', '/api/alarms', { token: admin, json: { name: 'host-$h', pattern: 'hosts.$h.*' } });
    await server.request('POST', '/api/services/hosts.a.disk');
    assert.equal((await server.request('GET', '/api/alarms/host-a', { token: admin })).status, 200);
    assert.equal(
      (await server.request('DELETE', '/api/alarms/host-$h', { token: admin })).status,
      409,
      'a template goes only when its alarms are empty',
    );
    await server.request('DELETE', '/api/services/hosts.a.disk', { token: admin });
    assert.deepEqual((await server.request('DELETE', '/api/alarms/host-$h', { token: admin })).json, {});
    await server.request('POST', '/api/services/hosts.a.disk');
    assert.equal((await server.request('GET', '/api/alarms/host-a', { token: admin })).status, 404, 'the template is gone');
    assert.equal(
      (await server.request('DELETE', '/api/alarms/server-$name', { token: admin })).status,
      404,
      'config definitions are not deleted',
    );
  });

  it('changes an API alarm definition with PUT: every service joins or leaves at once, and the change survives a restart', async () => {
    const config = '[[alarms]]\nname = "server-$name"\npattern = "application-name.$name.*"\n';
    const first = await PulseServer.start({ config });
    let second: PulseServer | null = null;
    try {
      const token = first.adminToken!;
      for (const name of ['sync.orders', 'sync.stock', 'export.orders']) await first.request('POST', `/api/services/${name}`);
      assert.equal((await first.request('POST', '/api/alarms', { token, json: { name: 'orders', pattern: 'sync.orders' } })).status, 201);
      const members = async () =>
        ((await first.request('GET', '/api/alarms/orders', { token })).json.services as { name: string }[]).map((item) => item.name).sort();
      assert.deepEqual(await members(), ['sync.orders']);

      const changed = await first.request('PUT', '/api/alarms/orders', {
        token,
        json: { name: 'orders', includes: ['*.orders'], excludes: ['export.*'], alerts: ['ops-mail'] },
      });
      assert.equal(changed.status, 200, changed.text);
      assert.deepEqual(changed.json.definition, {
        name: 'orders',
        pattern: '',
        includes: ['*.orders'],
        excludes: ['export.*'],
        alerts: ['ops-mail'],
        source: 'api',
      });
      assert.deepEqual(await members(), ['sync.orders'], 'export.orders is excluded');
      await first.request('PUT', '/api/alarms/orders', { token, json: { name: 'orders', pattern: 'sync.*' } });
      assert.deepEqual(await members(), ['sync.orders', 'sync.stock'], 'a new pattern takes in the services it matches at once');

      const renamed = await first.request('PUT', '/api/alarms/orders', { token, json: { name: 'orders-2', pattern: 'sync.*' } });
      assert.equal(renamed.status, 400);
      assert.match(renamed.json.fields.name, /cannot be changed/);
      const invalid = await first.request('PUT', '/api/alarms/orders', { token, json: { name: 'orders', excludes: ['x.*'] } });
      assert.equal(invalid.status, 400);
      assert.match(invalid.json.fields.pattern, /needs a pattern/);
      assert.deepEqual(await members(), ['sync.orders', 'sync.stock'], 'a refused change changes nothing');
      assert.equal((await first.request('PUT', '/api/alarms/no-such', { token, json: { name: 'no-such', pattern: 'x' } })).status, 404);
      const fromFile = await first.request('PUT', '/api/alarms/server-$name', {
        token,
        json: { name: 'server-$name', pattern: 'other.$name.*' },
      });
      assert.equal(fromFile.status, 409, 'a config-file definition is changed in the file');
      assert.match(fromFile.json.message, /configuration file/);

      await first.stop();
      second = await PulseServer.start({ config, dataDir: first.dataDir });
      const stored = (await second.request('GET', '/api/alarms', { token })).json.definitions.find(
        (definition: { name: string }) => definition.name === 'orders',
      );
      assert.equal(stored.pattern, 'sync.*', 'the change was stored');
      const after = ((await second.request('GET', '/api/alarms/orders', { token })).json.services as { name: string }[]).map(
        (item) => item.name,
      );
      assert.deepEqual(after.sort(), ['sync.orders', 'sync.stock']);
    } finally {
      await second?.stop();
      await first.dispose();
    }
  });
});

describe('heartbeat access rules', () => {
  it('needs an ingest (or admin) token for beats with require_token, and admin for status without public_status', async () => {
    const server = await PulseServer.start({ config: '[heartbeat]\nrequire_token = true\n[http]\npublic_status = false\n' });
    try {
      const admin = server.adminToken!;
      assert.equal((await server.request('POST', '/api/services/guarded')).status, 401);
      const ingest = (await server.request('POST', '/api/tokens/', { token: admin, json: { name: 'beats', type: 'ingest' } })).json.token;
      assert.deepEqual((await server.request('POST', '/api/services/guarded', { token: ingest })).json, {});
      assert.equal((await server.request('POST', '/api/services/guarded/start', { token: ingest })).status, 200);
      assert.equal((await server.request('POST', '/api/services/guarded', { token: admin })).status, 200);
      assert.equal((await server.request('GET', '/api/services', { token: ingest })).status, 403, 'ingest tokens only beat');
      assert.equal((await server.request('GET', '/api/status')).status, 401);
      assert.equal((await server.request('GET', '/api/status', { token: admin })).status, 200);
      const curlBeat = await runCommand('curl', [
        '-s',
        '-H',
        `Authorization: Bearer ${ingest}`,
        '-d',
        'timeout=60',
        `${server.baseUrl}/api/services/guarded`,
      ]);
      assert.equal(curlBeat.stdout, '{}');
    } finally {
      await server.dispose();
    }
  });
});
