import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { PulseServer } from '../peers/pulse-server.js';
import { ConsoleClient } from '../support/console-client.js';
import { waitUntil } from '../support/wait.js';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
const projectRoot = fileURLToPath(new URL('../../../', import.meta.url));

function cookieLine(lines: string[], name: string): string {
  const line = lines.find((candidate) => candidate.startsWith(`${name}=`));
  assert.ok(line, `a Set-Cookie for ${name} in ${JSON.stringify(lines)}`);
  return line;
}

/** Reads server-sent events from a streaming fetch until `until` says enough. */
async function readEvents(response: Response, until: (events: { id?: string; event?: string; data?: string }[]) => boolean) {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { id?: string; event?: string; data?: string }[] = [];
  let buffer = '';
  while (!until(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event: Record<string, string> = {};
      for (const line of block.split('\n')) {
        const match = /^(id|event|data): ?(.*)$/.exec(line);
        if (match) event[match[1]!] = match[2]!;
      }
      if (event.event || event.id) events.push(event);
    }
  }
  await reader.cancel();
  return events;
}

describe('console shell over HTTP (SPEC §8)', () => {
  let server: PulseServer;
  let admin: string;
  const client = () => new ConsoleClient(`${server.baseUrl}/`);
  const apiTokens = async () =>
    (await server.request('GET', '/api/tokens', { token: admin })).json.tokens as { id: number; name: string; revoked: boolean }[];

  before(async () => {
    server = await PulseServer.start({ config: '[http]\nauth_failures_per_minute = 1000\n' });
    admin = server.adminToken!;
  });
  after(() => server.dispose());

  it('opens at the sign-in page, with the security headers on pages, errors and the API', async () => {
    const home = await client().request('GET', '');
    assert.equal(home.status, 303);
    assert.equal(home.headers.get('location'), '/sign-in');
    const user = client();
    const page = await user.request('GET', 'sign-in');
    assert.equal(page.status, 200);
    assert.match(page.text, /<form method="post" action="\/sign-in"/);
    const missing = await user.request('GET', 'no-such-page');
    assert.equal(missing.status, 404);
    assert.match(missing.text, /Page not found/);
    const api = await server.request('GET', '/api/no-such-thing');
    assert.equal(api.status, 404);
    assert.equal(api.json.error, 'not_found', 'API routes keep their JSON errors');
    for (const response of [page, missing, api]) {
      assert.equal(response.headers.get('content-security-policy'), CSP);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('referrer-policy'), 'same-origin');
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
    }
    assert.match(page.text, /<meta name="htmx-config" content='\{"selfRequestsOnly":true,"allowScriptTags":false,"allowEval":false/);
    assert.doesNotMatch(page.text, /<script>|<script [^>]*>[^<]|\son[a-z]+=|\sstyle=/i, 'no inline script, handler or style attribute');
  });

  it('signs in with an admin token only, from the console origin with the form token, and stores only a hash of the session id', async () => {
    const user = client();
    const form = await user.request('GET', 'sign-in');
    assert.match(cookieLine(user.lastSetCookies, 'pulse_sign_in'), /; Max-Age=3600; Path=\/; HttpOnly; SameSite=Strict$/);
    assert.ok(form.text.includes('name="_csrf"'));

    assert.equal((await client().signIn(admin, { csrf: null })).status, 403, 'no form token');
    assert.equal(
      (await client().signIn(admin, { csrf: 'forged-forged-forged-forged-forged' })).status,
      403,
      'a token that is not the cookie’s',
    );
    const crossSite = await client().signIn(admin, { origin: 'https://evil.example' });
    assert.equal(crossSite.status, 403, 'another origin');
    assert.match(crossSite.text, /refused because it did not come from a page of this console/);
    assert.equal((await client().signIn(admin, { origin: null })).status, 403, 'no Origin and no Sec-Fetch-Site');

    const wrong = await client().signIn(`sw_admin_${'0'.repeat(64)}`);
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /That token is not valid/);
    const agent = await server.request('POST', '/api/tokens', { token: admin, json: { name: 'an agent', type: 'agent' } });
    const notAdmin = await client().signIn(agent.json.token);
    assert.equal(notAdmin.status, 401);
    assert.match(notAdmin.text, /That is an agent token; the console needs an admin token/);

    const signedIn = await user.signIn(admin);
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get('location'), '/', 'into the console: the dashboard');
    const session = user.sessionCookie!;
    assert.match(session, /^[A-Za-z0-9_-]{43}$/);
    const line = cookieLine(signedIn.headers.getSetCookie(), 'pulse_session');
    assert.match(
      line,
      /; Max-Age=604800; Path=\/; HttpOnly; SameSite=Strict$/,
      'HttpOnly, SameSite=Strict, Path = base path, not Secure over plain HTTP',
    );
    assert.ok(!user.cookies.has('pulse_sign_in'), 'the sign-in form cookie is cleared');

    const database = new Database(path.join(server.dataDir, 'pulse.db'), { readonly: true });
    try {
      const rows = database.prepare('SELECT * FROM console_sessions').all() as Record<string, unknown>[];
      const hash = createHash('sha256').update(session).digest('hex');
      assert.ok(
        rows.some((row) => row.id_hash === hash),
        'the SHA-256 of the session id is stored',
      );
      assert.ok(!JSON.stringify(rows).includes(session), 'the session id itself is not');
    } finally {
      database.close();
    }
    const tokens = await user.request('GET', 'tokens');
    assert.equal(tokens.status, 200);
    assert.match(tokens.text, /<h1>Tokens<\/h1>/);
    const home = await user.request('GET', '');
    assert.equal(home.status, 200, 'signed in, / is the dashboard');
    assert.match(home.text, /<h1>Dashboard<\/h1>/);
  });

  it('refuses a state change without the session CSRF token, with another session’s, or from another origin', async () => {
    const alice = client();
    const bob = client();
    await alice.signIn(admin);
    await bob.signIn(admin);
    assert.notEqual(alice.csrfToken, bob.csrfToken);
    const attempts: [string, Record<string, string>, Record<string, string>][] = [
      ['no token', { name: 'csrf-1', type: 'agent' }, { 'x-csrf-token': '' }],
      ["bob's token", { name: 'csrf-2', type: 'agent' }, { 'x-csrf-token': bob.csrfToken }],
      ['another origin', { name: 'csrf-3', type: 'agent' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' }],
      ['a sibling site', { name: 'csrf-4', type: 'agent' }, { origin: alice.origin, 'sec-fetch-site': 'same-site' }],
    ];
    for (const [what, form, headers] of attempts) {
      const response = await alice.htmxPost('tokens', form, headers);
      assert.equal(response.status, 403, what);
      assert.match(response.text, /refused because it did not come from a page of this console/, what);
      assert.equal(response.headers.get('hx-retarget'), '#console-alert', `${what}: htmx shows it in the alert area`);
    }
    const plainForm = await alice.request('POST', 'tokens', {
      form: { name: 'csrf-5', type: 'agent', _csrf: bob.csrfToken },
      headers: { origin: alice.origin },
    });
    assert.equal(plainForm.status, 403, "a plain form with bob's token");
    const api = await alice.request('POST', '/api/tokens', { json: { name: 'csrf-6', type: 'agent' }, headers: { origin: alice.origin } });
    assert.equal(api.status, 403, 'the session cookie on an API route needs the CSRF token too');
    assert.deepEqual(
      (await apiTokens()).filter((token) => token.name.startsWith('csrf-')),
      [],
      'nothing was created',
    );

    const allowed = await alice.htmxPost('tokens', { name: 'csrf-ok', type: 'agent' });
    assert.equal(allowed.status, 201);
    const plainAllowed = await alice.request('POST', 'tokens', {
      form: { name: 'csrf-ok-plain', type: 'agent', _csrf: alice.csrfToken },
      headers: { origin: alice.origin },
    });
    assert.equal(plainAllowed.status, 201, 'a plain form with the hidden field works without JavaScript');
    assert.match(plainAllowed.text, /<input id="token-secret"[^>]*value="sw_agent_[0-9a-f]{64}"/);
    assert.equal((await apiTokens()).filter((token) => token.name.startsWith('csrf-ok')).length, 2);
    assert.equal((await alice.request('GET', 'sign-out')).status, 404, 'no state change on GET: there is no GET sign-out');
  });

  it('ends a session at once when its token is rotated or revoked, and on sign-out', async () => {
    const second = await server.request('POST', '/api/tokens', { token: admin, json: { name: 'second admin', type: 'admin' } });
    const user = client();
    await user.signIn(second.json.token);
    assert.equal((await user.request('GET', 'tokens')).status, 200);
    const rotated = await server.request('POST', `/api/tokens/${second.json.id}/rotate`, { token: admin });
    const afterRotate = await user.request('GET', 'tokens');
    assert.equal(afterRotate.status, 303, 'rotated: thrown out');
    assert.equal(afterRotate.headers.get('location'), '/sign-in?next=tokens');

    await user.signIn(rotated.json.token);
    assert.equal((await user.request('GET', 'tokens')).status, 200, 'the new secret signs in');
    await server.request('DELETE', `/api/tokens/${second.json.id}`, { token: admin });
    const afterRevoke = await user.request('GET', 'tokens', { headers: { 'hx-request': 'true', 'hx-target': 'tokens-list' } });
    assert.equal(
      afterRevoke.headers.get('hx-redirect'),
      '/sign-in?next=tokens',
      'revoked: thrown out (htmx: the whole page goes to sign-in)',
    );

    const leaving = client();
    await leaving.signIn(admin);
    const session = leaving.sessionCookie!;
    const signOut = await leaving.request('POST', 'sign-out', { form: { _csrf: leaving.csrfToken }, headers: { origin: leaving.origin } });
    assert.equal(signOut.status, 303);
    assert.equal(signOut.headers.get('location'), '/sign-in');
    assert.match(cookieLine(signOut.headers.getSetCookie(), 'pulse_session'), /Max-Age=0; Path=\//);
    const reused = await fetch(`${server.baseUrl}/tokens`, { headers: { cookie: `pulse_session=${session}` }, redirect: 'manual' });
    assert.equal(reused.status, 303, 'the old session id is dead on the server, not only forgotten by the browser');
  });

  it('answers htmx with the fragment alone, a history restore with the page, and always varies on HX-Request', async () => {
    const user = client();
    await user.signIn(admin);
    const fragment = await user.request('GET', 'tokens', { headers: { 'hx-request': 'true', 'hx-target': 'tokens-list' } });
    assert.equal(fragment.status, 200);
    assert.match(fragment.text, /^<section id="tokens-list"/);
    assert.ok(!fragment.text.includes('<html'));
    const restore = await user.request('GET', 'tokens', {
      headers: { 'hx-request': 'true', 'hx-target': 'tokens-list', 'hx-history-restore-request': 'true' },
    });
    assert.match(restore.text, /^<!doctype html>/);
    const page = await user.request('GET', 'tokens');
    for (const response of [fragment, restore, page]) {
      assert.match(response.headers.get('vary') ?? '', /HX-Request/);
      assert.equal(response.headers.get('cache-control'), 'no-store');
    }
    const invalid = await user.htmxPost('tokens', { name: ' ', type: 'agent', expires_in_days: 'soon' }, { 'hx-target': 'token-create' });
    assert.equal(invalid.status, 422);
    assert.match(invalid.text, /^<form id="token-create"/);
    assert.match(invalid.text, /<p class="field-error" id="token-name-error">This field is required.<\/p>/);
    assert.match(invalid.text, /<p class="field-error" id="token-expiry-error">Must be a whole number of days.<\/p>/);
  });

  it('serves htmx, its SSE extension and its own files under content-hashed names, cached for a year', async () => {
    const page = await client().request('GET', 'sign-in');
    const files = [...page.text.matchAll(/(?:src|href)="(\/static\/[^"]+)"/g)].map((match) => match[1]!);
    const htmx = files.find((file) => /^\/static\/htmx\.min\.[0-9a-f]{12}\.js$/.test(file));
    assert.ok(htmx, `htmx among ${files.join(', ')}`);
    assert.ok(files.some((file) => /^\/static\/htmx-sse\.min\.[0-9a-f]{12}\.js$/.test(file)));
    assert.ok(files.some((file) => /^\/static\/app\.[0-9a-f]{12}\.css$/.test(file)));
    const response = await fetch(`${server.baseUrl}${htmx}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.equal(response.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await response.text(), readFileSync(path.join(projectRoot, 'node_modules/htmx.org/dist/htmx.min.js'), 'utf8'));
    assert.equal((await fetch(`${server.baseUrl}/static/htmx.min.000000000000.js`)).status, 404);
  });

  it('streams live events with ids, replays what a reconnecting client missed, and tells a stale one to reload', async () => {
    assert.equal((await fetch(`${server.baseUrl}/events`, { redirect: 'manual' })).status, 303, 'needs a session: off to sign in');
    const user = client();
    await user.signIn(admin);
    const cookie = `pulse_session=${user.sessionCookie}`;
    const page = await user.request('GET', 'tokens');
    const since = /sse-connect="\/events\?since&#x3D;([0-9a-f]+-\d+)"/.exec(page.text)?.[1];
    assert.ok(since, 'the page names where its stream starts');

    const stream = await fetch(`${server.baseUrl}/events?since=${since}`, { headers: { cookie } });
    assert.equal(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    assert.equal(stream.headers.get('x-accel-buffering'), 'no');
    const created = server.request('POST', '/api/tokens', { token: admin, json: { name: 'live one', type: 'agent' } });
    const id = (await created).json.id as number;
    // Changes close together are coalesced into one event, so another token touched a moment earlier
    // (signing in marks the admin token used) may share it; the new token must be named in it.
    const namesNewToken = (event: { event?: string; data?: string }) => event.event === 'tokens' && (JSON.parse(event.data!) as { ids: number[] }).ids.includes(id);
    const events = await readEvents(stream, (seen) => seen.some(namesNewToken));
    const tokensEvent = events.find(namesNewToken)!;
    const body = JSON.parse(tokensEvent.data!) as { changes: number; ids: number[] };
    // One token touched twice (the admin token is marked used on every request) is one id but two changes.
    assert.ok(body.changes >= body.ids.length, `${body.changes} changes name ${body.ids.length} ids`);
    assert.match(tokensEvent.id!, /^[0-9a-f]+-\d+$/);

    const replayed = await fetch(`${server.baseUrl}/events`, { headers: { cookie, 'last-event-id': since } });
    const again = await readEvents(replayed, (seen) => seen.some((event) => event.id === tokensEvent.id));
    assert.ok(
      again.some((event) => event.id === tokensEvent.id && event.event === 'tokens'),
      'missed events are replayed',
    );

    const stale = await fetch(`${server.baseUrl}/events`, { headers: { cookie, 'last-event-id': 'deadbeef-3' } });
    const told = await readEvents(stale, (seen) => seen.length > 0);
    assert.equal(told[0]?.event, 'reload', 'an id from another server run cannot be replayed');
  });

  it('closes the stream of a session whose token is revoked, without waiting for a request', async () => {
    const extra = await server.request('POST', '/api/tokens', { token: admin, json: { name: 'watcher', type: 'admin' } });
    const user = client();
    await user.signIn(extra.json.token);
    const stream = await fetch(`${server.baseUrl}/events`, { headers: { cookie: `pulse_session=${user.sessionCookie}` } });
    const revoked = server.request('DELETE', `/api/tokens/${extra.json.id}`, { token: admin });
    const events = await readEvents(stream, (seen) => seen.some((event) => event.event === 'reload'));
    await revoked;
    assert.ok(events.some((event) => event.event === 'reload'));
  });
});

describe('console shell: HTTPS and proxies', () => {
  it('marks the cookie Secure when HTTPS is reported by a trusted proxy, and believes nobody else', async () => {
    const trusting = await PulseServer.start({ config: '[http]\ntrusted_proxies = ["127.0.0.1"]\n' });
    const untrusting = await PulseServer.start();
    try {
      const port = new URL(trusting.baseUrl).port;
      const viaProxy = new ConsoleClient(`${trusting.baseUrl}/`, `https://pulse.example:${port}`);
      const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': `pulse.example:${port}` };
      const form = await viaProxy.request('GET', 'sign-in', { headers: forwarded });
      assert.match(cookieLine(viaProxy.lastSetCookies, 'pulse_sign_in'), /; Secure; SameSite=Strict$|; HttpOnly; Secure; SameSite=Strict$/);
      const formToken = /name="_csrf" value="([^"]*)"/.exec(form.text)![1]!;
      const signedIn = await viaProxy.request('POST', 'sign-in', {
        form: { token: trusting.adminToken!, _csrf: formToken },
        headers: { ...forwarded, origin: `https://pulse.example:${port}` },
      });
      assert.equal(signedIn.status, 303, 'the forwarded origin is the console origin');
      assert.match(cookieLine(signedIn.headers.getSetCookie(), 'pulse_session'), /Secure/);

      const spoofing = new ConsoleClient(`${untrusting.baseUrl}/`);
      await spoofing.request('GET', 'sign-in', { headers: { 'x-forwarded-proto': 'https' } });
      assert.doesNotMatch(
        cookieLine(spoofing.lastSetCookies, 'pulse_sign_in'),
        /Secure/,
        'X-Forwarded-Proto from an untrusted peer is ignored',
      );
      const spoofed = new ConsoleClient(`${untrusting.baseUrl}/`, 'https://pulse.example');
      const refused = await spoofed.signIn(untrusting.adminToken!, {});
      assert.equal(refused.status, 403, 'a forwarded host from an untrusted peer does not make another origin acceptable');
    } finally {
      await Promise.all([trusting.dispose(), untrusting.dispose()]);
    }
  });

  it('shuts down promptly with event streams open', async () => {
    const server = await PulseServer.start();
    try {
      const user = new ConsoleClient(`${server.baseUrl}/`);
      await user.signIn(server.adminToken!);
      const stream = await fetch(`${server.baseUrl}/events`, { headers: { cookie: `pulse_session=${user.sessionCookie}` } });
      const reading = stream.body!.pipeTo(new WritableStream()).catch(() => undefined);
      await server.stop();
      // Nest re-raises SIGTERM after a clean close; SIGKILL would mean the stop grace period ran out.
      assert.equal(server.process.signal, 'SIGTERM', 'stopped by its own SIGTERM handling, not killed');
      assert.doesNotMatch(server.process.stderr, /ERROR/);
      await waitUntil(
        'the stream to end',
        async () => (await Promise.race([reading.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))])) as boolean,
      );
    } finally {
      await server.dispose();
    }
  });
});
