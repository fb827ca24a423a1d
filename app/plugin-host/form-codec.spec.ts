import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';
import { decodeForm, formatDuration, formValues, parseDuration, submittedValues } from './form-codec.js';
import { validatePluginConfig } from './plugin-config.js';
import { defineForm, formProblems } from './plugin-form.js';
import { SECRET_MASK } from './plugin-secrets.js';
import { encodeForm } from './testing.js';

/** A config with one option of every field type, as a plugin would declare it. */
class EveryKindConfig {
  @IsString() name = 'probe';
  @IsString() notes = '';
  @IsString() password = '';
  @Max(100) @Min(0) @IsInt({ message: 'must be a whole number' }) count = 3;
  @IsOptional() @IsInt() limit: number | null = null;
  @IsInt({ message: 'must be a whole number of milliseconds' }) slow_ms = 0;
  @IsBoolean() enabled = true;
  @IsBoolean() verbose = false;
  @IsIn([1, 2, 3]) level = 1;
  @IsIn(['red', 'green', 'blue'], { each: true }) @IsArray() colours: string[] = [];
  @IsString({ each: true }) @IsArray() targets: string[] = ['a'];
  @IsObject() labels: Record<string, string> = {};
  @IsIn(['', 'yes', 'no']) inherited = '';
  @IsObject() auth: { user?: string } = {};
}

const form = defineForm(EveryKindConfig, [
  { name: 'name', type: 'text', label: 'Name' },
  { name: 'notes', type: 'textarea', label: 'Notes' },
  { name: 'password', type: 'secret', label: 'Password' },
  { name: 'count', type: 'number', label: 'Count', step: 1 },
  { name: 'limit', type: 'number', label: 'Limit' },
  { name: 'slow_ms', type: 'duration', unit: 'ms', label: 'Slow after' },
  { name: 'enabled', type: 'boolean', label: 'Enabled' },
  { name: 'verbose', type: 'boolean', label: 'Verbose' },
  {
    name: 'level',
    type: 'select',
    label: 'Level',
    choices: [1, 2, 3].map((value) => ({ value, label: `L${value}` })),
  },
  {
    name: 'colours',
    type: 'multiselect',
    label: 'Colours',
    choices: ['red', 'green', 'blue'].map((value) => ({ value, label: value })),
  },
  { name: 'targets', type: 'list', label: 'Targets' },
  { name: 'labels', type: 'map', label: 'Labels' },
  {
    name: 'inherited',
    type: 'select',
    label: 'Inherited',
    inherits: '[section] inherited',
    choices: [
      { value: '', label: 'Server setting' },
      { value: 'yes', label: 'Yes' },
    ],
  },
  { name: 'auth.user', type: 'text', label: 'User', when: { field: 'enabled', in: [true] } },
]);

describe('plugin form description and codec', () => {
  it('takes defaults from the config class, except for fields that inherit a server-wide setting', () => {
    const defaults = Object.fromEntries(form.fields.map((field) => [field.name, field.default]));
    assert.deepEqual(defaults, {
      name: 'probe',
      notes: '',
      password: '',
      count: 3,
      limit: null,
      slow_ms: 0,
      enabled: true,
      verbose: false,
      level: 1,
      colours: [],
      targets: ['a'],
      labels: {},
      inherited: undefined,
      'auth.user': undefined,
    });
    assert.deepEqual(formProblems(form, EveryKindConfig), []);
  });

  it('shows stored values ready to render, secrets masked, defaults for what is not stored', () => {
    const values = formValues(form, {
      password: 'hunter2',
      slow_ms: 90_000,
      verbose: true,
      level: 2,
      colours: ['red', 'blue'],
      targets: ['a', 'b'],
      labels: { team: 'ops', tier: '1' },
      auth: { user: 'svc' },
    });
    assert.deepEqual(values, {
      name: 'probe',
      notes: '',
      password: SECRET_MASK,
      count: '3',
      limit: '',
      slow_ms: '1m30s',
      enabled: true,
      verbose: true,
      level: '2',
      colours: ['red', 'blue'],
      targets: 'a\nb',
      labels: [
        { key: 'team', value: 'ops' },
        { key: 'tier', value: '1' },
      ],
      inherited: '',
      'auth.user': 'svc',
    });
  });

  it('masks each value of a secret map and keeps its keys; values sent back masked stay masks for keepMaskedSecrets', () => {
    const secretMap = defineForm(EveryKindConfig, [{ name: 'labels', type: 'map', label: 'Headers', secret: true }]);
    assert.deepEqual(formProblems(secretMap, EveryKindConfig), []);
    const values = formValues(secretMap, { labels: { Authorization: 'Bearer abc', 'X-Empty': '' } });
    assert.deepEqual(values.labels, [
      { key: 'Authorization', value: SECRET_MASK },
      { key: 'X-Empty', value: '' },
    ]);
    assert.deepEqual(decodeForm(secretMap, encodeForm(secretMap, values)), { labels: { Authorization: SECRET_MASK, 'X-Empty': '' } });
  });

  it('decodes a submitted form into typed config: checkboxes, numbers, durations, choices, lists, maps, nested keys', () => {
    const decoded = decodeForm(
      form,
      {
        'o.name': 'web',
        'o.notes': 'line 1\nline 2',
        'o.password': 's3cret',
        'o.count': ' 42 ',
        'o.limit': '',
        'o.slow_ms': '1.5s',
        // enabled: an unchecked checkbox sends nothing
        'o.verbose': ['false', 'true'], // a hidden "false" before the checkbox: the last value counts
        'o.level': '3',
        'o.colours': ['green', 'blue'],
        'o.targets': 'x.example.com\r\n\r\ny.example.com, z.example.com',
        'o.labels[key]': ['team', '', ' tier ', ''],
        'o.labels[value]': ['ops', '', '2', ''],
        'o.inherited': '',
        'o.auth.user': 'svc',
      },
      'o.',
    );
    assert.deepEqual(decoded, {
      name: 'web',
      notes: 'line 1\nline 2',
      password: 's3cret',
      count: 42,
      slow_ms: 1500,
      enabled: false,
      verbose: true,
      level: 3,
      colours: ['green', 'blue'],
      targets: ['x.example.com', 'y.example.com', 'z.example.com'],
      labels: { team: 'ops', tier: '2' },
      auth: { user: 'svc' },
    });
    const config = validatePluginConfig(EveryKindConfig, decoded);
    assert.ok(config.ok);
    assert.equal(config.value.limit, null, 'an empty optional field takes the default');
  });

  it('leaves empty fields out so the defaults apply, and an unsent multiselect is an empty choice', () => {
    const decoded = decodeForm(form, {
      name: '',
      count: '',
      slow_ms: ' ',
      level: '',
      targets: '\n',
      'labels[key]': [''],
      'labels[value]': [''],
    });
    assert.deepEqual(decoded, { enabled: false, verbose: false, colours: [] });
  });

  it('passes what it cannot convert on, so validation refuses it on the right field', () => {
    const decoded = decodeForm(form, { count: 'many', slow_ms: '5 fortnights', level: '9', enabled: 'perhaps' });
    assert.deepEqual([decoded.count, decoded.slow_ms, decoded.level, decoded.enabled], ['many', '5 fortnights', '9', 'perhaps']);
    const result = validatePluginConfig(EveryKindConfig, decoded);
    assert.ok(!result.ok);
    assert.deepEqual(
      result.errors.map((error) => error.field),
      ['count', 'slow_ms', 'enabled', 'level'],
    );
    assert.equal(result.errors.find((error) => error.field === 'count')?.message, 'must be a whole number');
  });

  it('round-trips what a browser sends back unchanged', () => {
    const stored = {
      name: 'x',
      notes: 'multi\nline',
      count: 7,
      limit: 12,
      slow_ms: 250,
      enabled: false,
      verbose: true,
      level: 2,
      colours: ['blue'],
      targets: ['one', 'two'],
      labels: { 'a.b': 'c d' },
      inherited: 'yes',
      auth: { user: 'u' },
    };
    assert.deepEqual(decodeForm(form, encodeForm(form, formValues(form, stored))), { ...stored });
  });

  it('shows a refused submission again as it was typed', () => {
    const submission = {
      'o.name': 'probe 2',
      'o.count': 'many',
      'o.slow_ms': '5 minutes',
      'o.enabled': ['false', 'true'],
      'o.colours': ['red', 'blue'],
      'o.targets': 'a\nb',
      'o.labels[key]': ['env', '', ''],
      'o.labels[value]': ['prod', 'orphan', ''],
      'o.password': 'typed',
    };
    const values = submittedValues(form, submission, 'o.');
    assert.equal(values.count, 'many', 'text a number field could not take stays, to be corrected');
    assert.equal(values.slow_ms, '5 minutes');
    assert.equal(values.enabled, true);
    assert.equal(values.verbose, false, 'an unticked box');
    assert.deepEqual(values.colours, ['red', 'blue']);
    assert.equal(values.targets, 'a\nb');
    assert.deepEqual(values.labels, [
      { key: 'env', value: 'prod' },
      { key: '', value: 'orphan' },
    ]);
    assert.equal(values.password, 'typed');
    assert.equal(values.notes, '');
  });

  it("splits a list with separator 'lines' at line breaks only and keeps each item as typed", () => {
    class ArgsConfig {
      @IsString({ each: true }) @IsArray() args: string[] = [];
      @IsString({ each: true }) @IsArray() hosts: string[] = [];
    }
    const argsForm = defineForm(ArgsConfig, [
      { name: 'args', type: 'list', label: 'Arguments', separator: 'lines' },
      { name: 'hosts', type: 'list', label: 'Hosts' },
    ]);
    assert.deepEqual(formProblems(argsForm, ArgsConfig), []);
    const typed = '-w\r\n100,20%\r\n\r\n-s\r\n  two spaces, a comma \r\n';
    assert.deepEqual(decodeForm(argsForm, { args: typed, hosts: typed }), {
      args: ['-w', '100,20%', '-s', '  two spaces, a comma '],
      hosts: ['-w', '100', '20%', '-s', 'two spaces', 'a comma'],
    });
    assert.deepEqual(decodeForm(argsForm, { args: ['a,b', '', ' c '] }), { args: ['a,b', ' c '] }, 'items sent one per input');
    assert.deepEqual(decodeForm(argsForm, { args: '\n\n' }), {}, 'no items: the default applies');
    const stored = { args: ['-H', '127.0.0.1', '-w', '100,20%', ' padded '], hosts: ['a', 'b'] };
    assert.deepEqual(decodeForm(argsForm, encodeForm(argsForm, formValues(argsForm, stored))), stored, 'round trip');
    assert.deepEqual(formProblems({ fields: [{ name: 'count', type: 'number', label: 'Count', separator: 'lines' }] }, EveryKindConfig), [
      'form field "count": separator "lines" is the only one, and only for a list',
    ]);
  });

  it('reads and writes durations in the unit the config stores', () => {
    assert.equal(parseDuration('1500', 'ms'), 1500);
    assert.equal(parseDuration('2s', 'ms'), 2000);
    assert.equal(parseDuration('1m 30s', 'ms'), 90_000);
    assert.equal(parseDuration('1h', 's'), 3600);
    assert.equal(parseDuration('500ms', 's'), 0.5);
    assert.equal(parseDuration('1d2h', 's'), 93_600);
    assert.equal(parseDuration('soon', 'ms'), null);
    assert.equal(parseDuration('5 fortnights', 'ms'), null);
    assert.equal(parseDuration('10s20', 'ms'), null);
    assert.equal(formatDuration(0, 'ms'), '0');
    assert.equal(formatDuration(90_000, 'ms'), '1m30s');
    assert.equal(formatDuration(1500, 'ms'), '1s500ms');
    assert.equal(formatDuration(93_600, 's'), '1d2h');
    for (const ms of [1, 999, 1000, 61_000, 3_600_000, 86_400_001]) assert.equal(parseDuration(formatDuration(ms, 'ms'), 'ms'), ms);
  });

  it('refuses descriptions a form cannot be made from', () => {
    const problems = formProblems(
      {
        fields: [
          { name: 'count', type: 'number', label: 'Count' },
          { name: 'count', type: 'number', label: 'Again' },
          { name: 'nope', type: 'text', label: 'Nope' },
          { name: 'level', type: 'select', label: 'Level' },
          { name: 'slow_ms', type: 'duration', label: 'Slow' },
          { name: 'targets', type: 'list', label: 'Targets', secret: true },
          { name: 'name', type: 'text', label: 'Name', when: { field: 'missing', in: [true] } },
        ],
      },
      EveryKindConfig,
    );
    assert.deepEqual(problems, [
      'form field "count": appears twice',
      'form field "nope": is not an option of the config class',
      'form field "level": a select needs choices',
      'form field "slow_ms": a duration needs unit "ms" or "s"',
      'form field "targets": only text values (or a map\'s values) can be secret',
      'form field "name": "when" names no field "missing"',
    ]);
  });
});
