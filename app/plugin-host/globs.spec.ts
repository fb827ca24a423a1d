import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globMatcher } from './globs.js';

describe('globMatcher', () => {
  it('matches whole values, "*" across "/" and "?" as one character', () => {
    const excluded = globMatcher(['/snap/*', '/mnt/backup', 'veth?']);
    assert.equal(excluded('/snap/core/1234'), true);
    assert.equal(excluded('/snap'), false);
    assert.equal(excluded('/mnt/backup'), true);
    assert.equal(excluded('/mnt/backup2'), false);
    assert.equal(excluded('veth0'), true);
    assert.equal(excluded('veth10'), false);
  });

  it('takes regular-expression characters literally, and matches nothing without globs', () => {
    assert.equal(globMatcher(['/data(1)+.x'])('/data(1)+.x'), true);
    assert.equal(globMatcher(['/data.x'])('/data-x'), false);
    assert.equal(globMatcher([])('/'), false);
  });
});
