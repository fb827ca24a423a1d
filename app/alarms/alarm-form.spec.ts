import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alarmFormOf, alarmInput, readAlarmForm } from './alarm-form.js';

describe('alarm form', () => {
  it('reads patterns one per line and channels ticked or typed, into the API input', () => {
    const values = readAlarmForm({
      name: ' backups ',
      pattern: '',
      includes: 'backup.*\r\n  db.$host.dump \n\n',
      excludes: 'backup.test-*',
      alerts: ['ops', 'oncall'],
      alerts_text: 'ops, pager',
    });
    assert.deepEqual(alarmInput(values), {
      name: 'backups',
      includes: ['backup.*', 'db.$host.dump'],
      excludes: ['backup.test-*'],
      alerts: ['ops', 'oncall', 'pager'],
    });
  });

  it('leaves empty fields out, and shows a stored definition as it was written', () => {
    assert.deepEqual(alarmInput(readAlarmForm({ name: 'x', pattern: 'a.*' })), { name: 'x', pattern: 'a.*' });
    const form = alarmFormOf({
      name: 'server-$name',
      pattern: 'app.$name.*',
      includes: [],
      excludes: ['app.test.*', 'app.dev.*'],
      alerts: ['ops'],
      source: 'api',
    });
    assert.deepEqual(form, {
      name: 'server-$name',
      pattern: 'app.$name.*',
      includes: '',
      excludes: 'app.test.*\napp.dev.*',
      alerts: ['ops'],
    });
  });
});
