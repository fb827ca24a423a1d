import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepMaskedSecrets, maskSecrets, SECRET_MASK } from './plugin-secrets.js';

describe('plugin secrets', () => {
  it('masks non-empty secrets only', () => {
    assert.deepEqual(maskSecrets(['community', 'auth_key'], { community: 'public', auth_key: '', oids: ['1.3'] }), {
      community: SECRET_MASK,
      auth_key: '',
      oids: ['1.3'],
    });
    assert.deepEqual(maskSecrets(undefined, { community: 'public' }), { community: 'public' });
  });

  it('keeps the stored secret when an edit sends the mask back, and takes a new one otherwise', () => {
    const stored = { community: 's3cret', auth_key: 'old' };
    assert.deepEqual(keepMaskedSecrets(['community', 'auth_key'], { community: SECRET_MASK, auth_key: 'new' }, stored), {
      community: 's3cret',
      auth_key: 'new',
    });
    assert.deepEqual(keepMaskedSecrets(['community'], { community: SECRET_MASK }, undefined), { community: SECRET_MASK });
  });

  it('masks every value of a map of secrets and keeps the names readable', () => {
    const settings = { url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer abc', 'X-Empty': '' } };
    assert.deepEqual(maskSecrets(['headers'], settings), {
      url: 'https://hooks.example.com/x',
      headers: { Authorization: SECRET_MASK, 'X-Empty': '' },
    });
    assert.deepEqual(maskSecrets(['headers'], { headers: {} }), { headers: {} });
  });

  it('keeps each masked map entry, takes new and changed ones, and drops the ones left out', () => {
    const stored = { headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k1', 'X-Old': 'gone' } };
    const incoming = { headers: { Authorization: SECRET_MASK, 'X-Api-Key': 'k2', 'X-New': SECRET_MASK, 'X-Team': 'ops' } };
    assert.deepEqual(keepMaskedSecrets(['headers'], incoming, stored), {
      headers: { Authorization: 'Bearer abc', 'X-Api-Key': 'k2', 'X-New': SECRET_MASK, 'X-Team': 'ops' },
    });
    // A whole map sent back as the mask (a client that masks maps as one value) keeps the stored map.
    assert.deepEqual(keepMaskedSecrets(['headers'], { headers: SECRET_MASK }, stored), stored);
  });
});
