import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FailedAuthLimiter } from './failed-auth-limiter.js';

describe('FailedAuthLimiter', () => {
  it('blocks an address at the limit until its oldest failure is a minute old', () => {
    const limiter = new FailedAuthLimiter(3);
    const start = 1_000_000;
    limiter.recordFailure('10.0.0.1', start);
    limiter.recordFailure('10.0.0.1', start + 10_000);
    assert.equal(limiter.retryAfterSeconds('10.0.0.1', start + 20_000), 0, 'below the limit');
    limiter.recordFailure('10.0.0.1', start + 20_000);
    assert.equal(limiter.retryAfterSeconds('10.0.0.1', start + 20_000), 40, 'blocked until the first failure leaves the window');
    assert.equal(limiter.retryAfterSeconds('10.0.0.2', start + 20_000), 0, 'other addresses are not affected');
    assert.equal(limiter.retryAfterSeconds('10.0.0.1', start + 60_000), 0, 'open again after a minute');
  });

  it('keeps memory bounded when failures come from very many addresses', () => {
    const limiter = new FailedAuthLimiter(1);
    for (let n = 0; n < 60_000; n++) limiter.recordFailure(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, 5_000);
    assert.equal(limiter.retryAfterSeconds('10.0.234.95', 5_000) > 0, true, 'recent addresses are remembered');
    assert.equal(limiter.retryAfterSeconds('10.0.0.0', 5_000), 0, 'the oldest were forgotten first');
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped one as IPv4', () => {
    const limiter = new FailedAuthLimiter(2);
    limiter.recordFailure('2001:db8:1:2::1', 1_000);
    limiter.recordFailure('2001:db8:1:2:ffff::99', 1_000);
    assert.ok(limiter.retryAfterSeconds('2001:db8:1:2::3', 1_000) > 0, 'a fresh address of the same /64 is still blocked');
    assert.equal(limiter.retryAfterSeconds('2001:db8:1:3::1', 1_000), 0, 'the next /64 is not');
    limiter.recordFailure('::ffff:192.0.2.1', 1_000);
    limiter.recordFailure('192.0.2.1', 1_000);
    assert.ok(limiter.retryAfterSeconds('192.0.2.1', 1_000) > 0);
  });
});
