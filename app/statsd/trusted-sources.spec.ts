import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ServerConfig } from '../config/config.schema.js';
import { TrustedSources } from './trusted-sources.js';

describe('TrustedSources', () => {
  it('trusts everyone while beats need no token (Lovebeat)', () => {
    const sources = TrustedSources.fromConfig(new ServerConfig());
    assert.equal(sources.everyone, true);
    assert.equal(sources.allows('203.0.113.9'), true);
  });

  it('trusts only loopback by default when tokens are required', () => {
    const config = new ServerConfig();
    config.heartbeat.require_token = true;
    const sources = TrustedSources.fromConfig(config);
    assert.deepEqual(
      ['127.0.0.1', '127.9.9.9', '::1', '::ffff:127.0.0.1', '203.0.113.9', '::ffff:203.0.113.9', '2001:db8::1', '10.0.0.1'].map((address) =>
        sources.allows(address),
      ),
      [true, true, true, true, false, false, false, false],
    );
  });

  it('takes addresses and CIDR ranges of both families, and answers the same from its cache', () => {
    const sources = new TrustedSources(['10.1.0.0/16', '192.0.2.7', '2001:db8:1::/48']);
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(
        ['10.1.200.3', '10.2.0.1', '192.0.2.7', '192.0.2.8', '::ffff:10.1.0.1', '2001:db8:1:ffff::1', '2001:db8:2::1'].map((address) =>
          sources.allows(address),
        ),
        [true, false, true, false, true, true, false],
      );
    }
  });
});
