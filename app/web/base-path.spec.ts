import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { basePathOf, consoleUrl, safeNextPath, stripBasePath } from './base-path.js';

describe('base path', () => {
  it('comes from the path of public_url, always ending in a slash', () => {
    assert.equal(basePathOf(''), '/');
    assert.equal(basePathOf('https://pulse.example.com'), '/');
    assert.equal(basePathOf('https://host/monitoring/pulse/'), '/monitoring/pulse/');
    assert.equal(basePathOf('https://host/monitoring/pulse'), '/monitoring/pulse/');
  });

  it('prefixes every console URL', () => {
    assert.equal(consoleUrl('/', 'tokens'), '/tokens');
    assert.equal(consoleUrl('/monitoring/pulse/', '/tokens'), '/monitoring/pulse/tokens');
    assert.equal(consoleUrl('/monitoring/pulse/'), '/monitoring/pulse/');
  });

  it('takes the prefix off request paths that still carry it and leaves others alone', () => {
    const base = '/monitoring/pulse/';
    assert.equal(stripBasePath(base, '/monitoring/pulse/tokens?x=1'), '/tokens?x=1');
    assert.equal(stripBasePath(base, '/monitoring/pulse/'), '/');
    assert.equal(stripBasePath(base, '/monitoring/pulse'), '/');
    assert.equal(stripBasePath(base, '/monitoring/pulse?a=b'), '/?a=b');
    assert.equal(stripBasePath(base, '/tokens'), '/tokens');
    assert.equal(stripBasePath(base, '/monitoring/pulsex/tokens'), '/monitoring/pulsex/tokens');
    assert.equal(stripBasePath('/', '/monitoring/pulse/tokens'), '/monitoring/pulse/tokens');
  });

  it('accepts only console-relative paths as the page to return to after sign-in', () => {
    assert.equal(safeNextPath('tokens'), 'tokens');
    assert.equal(safeNextPath('monitors?type=http&page=2'), 'monitors?type=http&page=2');
    for (const hostile of ['//evil.example', '/tokens', 'https://evil.example/', '\\\\evil', '../admin', 'a/../../b', 'java script:', 42, null]) {
      assert.equal(safeNextPath(hostile), null, String(hostile));
    }
  });
});
