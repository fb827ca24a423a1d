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
});
