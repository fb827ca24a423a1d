import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CreateTokenDto } from '../tokens/token.dto.js';
import { formInteger, formText, validateForm } from './form-validation.js';

describe('console form validation', () => {
  it('gives one message per field, next to which the form shows it', async () => {
    const outcome = await validateForm(CreateTokenDto, { name: '', type: 'root', expires_in_days: 'soon', _csrf: 'x' });
    assert.deepEqual(outcome, {
      ok: false,
      errors: { name: 'This field is required.', type: 'Must be one of admin, agent, poller, ingest.', expires_in_days: 'Must be a whole number of days.' },
    });
  });

  it('returns the DTO when the form is valid, dropping the CSRF field', async () => {
    const outcome = await validateForm(CreateTokenDto, { name: 'web-01', type: 'agent', expires_in_days: 30, _csrf: 'x' });
    assert.equal(outcome.ok, true);
    assert.ok(outcome.ok && outcome.value instanceof CreateTokenDto);
    assert.deepEqual(outcome.ok && { ...outcome.value }, { name: 'web-01', type: 'agent', expires_in_days: 30 });
  });

  it('decodes text and whole numbers from form fields', () => {
    assert.equal(formText('  a  '), 'a');
    assert.equal(formText(['a', 'b']), 'b');
    assert.equal(formText(undefined), undefined);
    assert.equal(formInteger(' 30 '), 30);
    assert.equal(formInteger(''), undefined);
    assert.equal(formInteger('3.5'), '3.5');
  });
});
