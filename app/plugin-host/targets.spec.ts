import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatHostPort, parseHostPort } from './targets.js';

describe('host:port targets', () => {
  it('reads names, IPv4 and bracketed IPv6 with a port', () => {
    assert.deepEqual(parseHostPort('db.example.com:5432'), { host: 'db.example.com', port: 5432 });
    assert.deepEqual(parseHostPort(' 10.0.0.5:22 '), { host: '10.0.0.5', port: 22 });
    assert.deepEqual(parseHostPort('[2001:db8::1]:53'), { host: '2001:db8::1', port: 53 });
  });

  it('falls back to a default port only when one is given', () => {
    assert.equal(parseHostPort('example.com'), null);
    assert.deepEqual(parseHostPort('example.com', 443), { host: 'example.com', port: 443 });
    assert.deepEqual(parseHostPort('2001:db8::1', 443), { host: '2001:db8::1', port: 443 });
    assert.deepEqual(parseHostPort('[::1]', 443), { host: '::1', port: 443 });
  });

  it('refuses what is not a target', () => {
    for (const bad of [
      '',
      ':80',
      'host:0',
      'host:65536',
      'host:http',
      'http://host:80',
      '[nothex]:80',
      '[::1]x',
      'a b:1',
      '-x:1',
      '.x:1',
      'host:80:90',
    ]) {
      assert.equal(parseHostPort(bad), null, bad);
    }
  });

  it('writes IPv6 hosts in brackets', () => {
    assert.equal(formatHostPort('::1', 22), '[::1]:22');
    assert.equal(formatHostPort('example.com', 22), 'example.com:22');
  });
});
