import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSameOrigin, csrfTokenFor, isStateChanging, originOf, submittedCsrfToken, tokensMatch } from './csrf.js';

describe('console CSRF defences', () => {
  it('derive a different token for every session and compare exactly', () => {
    const a = csrfTokenFor('session-a');
    const b = csrfTokenFor('session-b');
    assert.notEqual(a, b);
    assert.equal(a, csrfTokenFor('session-a'), 'stable for one session');
    assert.equal(tokensMatch(a, a), true);
    assert.equal(tokensMatch(a, b), false, "another session's token");
    assert.equal(tokensMatch(a, a.slice(1)), false);
    assert.equal(tokensMatch(a, undefined), false);
    assert.equal(tokensMatch(a, ''), false);
    assert.equal(tokensMatch(a, [a]), false);
  });

  it('read the token from the htmx header or a plain form field', () => {
    assert.equal(submittedCsrfToken({ 'x-csrf-token': 'h' }, { _csrf: 'f' }), 'h');
    assert.equal(submittedCsrfToken({}, { _csrf: 'f' }), 'f');
    assert.equal(submittedCsrfToken({}, { _csrf: ['f', 'g'] }), undefined, 'a repeated field is not a token');
    assert.equal(submittedCsrfToken({}, undefined), undefined);
  });

  it('treat only GET, HEAD and OPTIONS as safe', () => {
    for (const method of ['GET', 'head', 'OPTIONS']) assert.equal(isStateChanging(method), false);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) assert.equal(isStateChanging(method), true);
  });

  it('accept the console origin and refuse every other one', () => {
    const allowed = [originOf('https://host/monitoring/pulse/'), 'http://127.0.0.1:5000'];
    assert.deepEqual(checkSameOrigin({ origin: 'https://host' }, allowed), { ok: true });
    assert.deepEqual(checkSameOrigin({ origin: 'http://127.0.0.1:5000', 'sec-fetch-site': 'same-origin' }, allowed), { ok: true });
    assert.deepEqual(checkSameOrigin({ 'sec-fetch-site': 'same-origin' }, allowed), { ok: true });
    assert.deepEqual(checkSameOrigin({ 'sec-fetch-site': 'none' }, allowed), { ok: true });
    assert.equal(checkSameOrigin({ origin: 'https://evil.example' }, allowed).ok, false);
    assert.equal(checkSameOrigin({ origin: 'https://host:444' }, allowed).ok, false);
    assert.equal(checkSameOrigin({ origin: 'null' }, allowed).ok, false);
    assert.equal(checkSameOrigin({ origin: 'https://host', 'sec-fetch-site': 'cross-site' }, allowed).ok, false);
    assert.equal(checkSameOrigin({ 'sec-fetch-site': 'same-site' }, allowed).ok, false);
    assert.equal(checkSameOrigin({}, allowed).ok, false, 'no evidence at all');
  });

  it('write origins the way browsers do', () => {
    assert.equal(originOf('https://Host:443/x/'), 'https://host');
    assert.equal(originOf('http://127.0.0.1:8080/a'), 'http://127.0.0.1:8080');
  });
});
