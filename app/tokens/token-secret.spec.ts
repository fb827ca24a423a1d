import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { digestsEqual, generateTokenSecret, hashTokenSecret, tokenHint, tokenTypeOf } from './token-secret.js';

describe('token secrets', () => {
  it('look like sw_<type>_<64 hex> and are never repeated', () => {
    const seen = new Set<string>();
    for (const type of ['admin', 'agent', 'poller', 'ingest'] as const) {
      for (let n = 0; n < 50; n++) {
        const secret = generateTokenSecret(type);
        assert.match(secret, new RegExp(`^sw_${type}_[0-9a-f]{64}$`));
        assert.equal(tokenTypeOf(secret), type);
        seen.add(secret);
      }
    }
    assert.equal(seen.size, 200);
  });

  it('recognises only well-formed secrets', () => {
    for (const text of [
      '',
      'sw_admin_',
      `sw_admin_${'A'.repeat(64)}`,
      `sw_root_${'a'.repeat(64)}`,
      `sw_admin_${'a'.repeat(63)}`,
      ` sw_admin_${'a'.repeat(64)}`,
    ]) {
      assert.equal(tokenTypeOf(text), null, JSON.stringify(text));
    }
  });

  it('hash with SHA-256 and compare digests exactly', () => {
    const secret = generateTokenSecret('agent');
    const digest = hashTokenSecret(secret);
    assert.match(digest, /^[0-9a-f]{64}$/);
    assert.equal(digestsEqual(digest, hashTokenSecret(secret)), true);
    assert.equal(digestsEqual(digest, hashTokenSecret(`${secret}x`)), false);
    assert.equal(digestsEqual(digest, digest.slice(0, 62)), false, 'different lengths never match');
    assert.equal(tokenHint(secret), secret.slice(-4));
  });
});
