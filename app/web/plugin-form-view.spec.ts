import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsString } from 'class-validator';
import { formValues, submittedValues } from '../plugin-host/form-codec.js';
import { defineForm } from '../plugin-host/plugin-form.js';
import { SECRET_MASK } from '../plugin-host/plugin-secrets.js';
import { pluginFieldsView, unplacedErrors } from './plugin-form-view.js';

/** One option of every field type the SDK has. */
class EveryKindConfig {
  @IsString() label = 'probe';
  @IsString() notes = '';
  @IsString() password = '';
  @IsInt() count = 3;
  @IsInt() slow_ms = 0;
  @IsBoolean() enabled = true;
  @IsIn(['2c', '3']) version = '2c';
  @IsIn(['red', 'green'], { each: true }) @IsArray() colours: string[] = [];
  @IsString({ each: true }) @IsArray() hosts: string[] = ['a'];
  @IsObject() headers: Record<string, string> = {};
  @IsString() relay = '';
  @IsString() user = '';
}

const form = defineForm(EveryKindConfig, [
  { name: 'label', type: 'text', label: 'Label', required: true },
  { name: 'notes', type: 'textarea', label: 'Notes' },
  { name: 'password', type: 'secret', label: 'Password' },
  { name: 'count', type: 'number', label: 'Count', min: 0, max: 10, step: 1 },
  { name: 'slow_ms', type: 'duration', unit: 'ms', label: 'Slow after' },
  { name: 'enabled', type: 'boolean', label: 'Enabled' },
  {
    name: 'version',
    type: 'select',
    label: 'Version',
    choices: [
      { value: '2c', label: 'v2c' },
      { value: '3', label: 'v3' },
    ],
  },
  {
    name: 'colours',
    type: 'multiselect',
    label: 'Colours',
    choices: [
      { value: 'red', label: 'Red' },
      { value: 'green', label: 'Green' },
    ],
  },
  { name: 'hosts', type: 'list', label: 'Hosts' },
  { name: 'headers', type: 'map', label: 'Headers', secret: true, placeholder: 'Header-Name' },
  { name: 'relay', type: 'text', label: 'Relay', inherits: '[mail] server' },
  { name: 'user', type: 'text', label: 'User', when: { field: 'version', in: ['3'] } },
]);

const fieldsOf = (values: ReturnType<typeof formValues>, errors: Record<string, string> = {}) =>
  new Map(pluginFieldsView(form, values, errors, { prefix: 'options.', idPrefix: 'opt-' }).map((field) => [field.key, field]));

describe('plugin form fields as the console renders them', () => {
  it('gives every field type its input name, id, value and hints', () => {
    const fields = fieldsOf(
      formValues(form, { password: 's3cret', headers: { Authorization: 'Bearer x' }, colours: ['green'], hosts: ['a', 'b'] }),
    );
    const label = fields.get('label')!;
    assert.deepEqual([label.inputName, label.id, label.text, label.required], ['options.label', 'opt-label', 'probe', true]);
    const password = fields.get('password')!;
    assert.deepEqual(
      [password.secret, password.stored, password.text],
      [true, true, SECRET_MASK],
      'a stored secret shows the mask, never the value',
    );
    assert.match(password.help!, /Kept secret/);
    assert.deepEqual([fields.get('count')!.min, fields.get('count')!.max, fields.get('count')!.step], [0, 10, '1']);
    assert.equal(fields.get('slow_ms')!.unit, 'ms');
    assert.match(fields.get('slow_ms')!.help!, /milliseconds, or e\.g\. 800ms/);
    assert.equal(fields.get('enabled')!.checked, true);
    assert.deepEqual(
      fields.get('version')!.choices.map((choice) => [choice.value, choice.selected]),
      [
        ['2c', true],
        ['3', false],
      ],
    );
    assert.deepEqual(
      fields
        .get('colours')!
        .choices.filter((choice) => choice.selected)
        .map((choice) => choice.value),
      ['green'],
    );
    assert.equal(fields.get('hosts')!.text, 'a\nb');
    const headers = fields.get('headers')!;
    assert.deepEqual(headers.rows, [{ key: 'Authorization', value: SECRET_MASK }], 'secret map: names readable, values masked');
    assert.deepEqual([headers.rowKeyName, headers.rowValueName, headers.stored], ['options.headers[key]', 'options.headers[value]', true]);
    assert.equal(fields.get('relay')!.placeholder, 'server setting [mail] server', 'an inherited setting shows where the value comes from');
    assert.match(fields.get('relay')!.help!, /Empty: the server-wide \[mail\] server applies/);
  });

  it('hides a field whose condition does not hold, and shows it when it does', () => {
    assert.equal(fieldsOf(formValues(form, {})).get('user')!.hidden, true);
    const shown = fieldsOf(formValues(form, { version: '3' })).get('user')!;
    assert.equal(shown.hidden, false);
    assert.deepEqual(shown.when, { inputName: 'options.version', values: '["3"]' });
  });

  it('puts each error next to its field, and keeps what was typed', () => {
    const typed = submittedValues(form, { 'options.count': 'many', 'options.slow_ms': '5 minutes' }, 'options.');
    const errors = { 'options.count': 'Must be a whole number.', 'options.nope': 'Unknown option.', target: 'Elsewhere.' };
    const fields = fieldsOf(typed, errors);
    assert.deepEqual([fields.get('count')!.text, fields.get('count')!.error], ['many', 'Must be a whole number.']);
    assert.equal(fields.get('slow_ms')!.text, '5 minutes');
    assert.equal(fields.get('label')!.error, null);
    assert.deepEqual(unplacedErrors(form, errors, 'options.'), ['nope: Unknown option.'], 'an error for no field is not lost');
  });
});
