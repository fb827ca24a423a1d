import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IsBoolean, IsObject } from 'class-validator';
import { defineForm } from '../plugin-host/plugin-form.js';
import { SECRET_MASK } from '../plugin-host/plugin-secrets.js';
import { monitorFormView, newMonitorForm, readMonitorForm, storedMonitorForm, type CheckTypeChoice } from './monitor-form.js';

class WebConfig {
  @IsBoolean() follow_redirects = true;
  @IsObject() headers: Record<string, string> = {};
}

const web: CheckTypeChoice = {
  id: 'web',
  title: 'Web',
  target: { label: 'URL', placeholder: 'https://example.com/' },
  form: defineForm(WebConfig, [
    { name: 'follow_redirects', type: 'boolean', label: 'Follow redirects' },
    { name: 'headers', type: 'map', label: 'Headers', secret: true },
  ]),
};
const tcp: CheckTypeChoice = { id: 'tcp', title: 'TCP', target: { label: 'Host and port', placeholder: 'db:5432' }, form: { fields: [] } };
const context = {
  types: [tcp, web],
  alerts: [
    { name: 'ops', isDefault: true },
    { name: 'pager', isDefault: false },
  ],
  pollers: [],
};

describe('monitor form', () => {
  it('reads a submission into the API body: numbers, lists, and the type’s own fields through its form description', () => {
    const { input, state } = readMonitorForm(
      {
        _csrf: 'x',
        name: ' Shop ',
        type: 'web',
        target: 'https://shop.example/',
        interval: '30',
        timeout: 'soon',
        retries: '',
        quorum: '',
        alerts: ['ops', ''],
        pollers: ['2', 'x'],
        'options.follow_redirects': 'false',
        'options.headers[key]': ['Accept', ''],
        'options.headers[value]': ['text/html', ''],
      },
      web,
      null,
    );
    assert.deepEqual(input, {
      name: 'Shop',
      type: 'web',
      target: 'https://shop.example/',
      interval: 30,
      timeout: 'soon',
      retries: undefined,
      quorum: null,
      pollers: [2, 'x'],
      alerts: ['ops'],
      options: { follow_redirects: false, headers: { Accept: 'text/html' } },
    });
    assert.equal(state.values.timeout, 'soon', 'shown again as typed');
    assert.deepEqual(state.options.headers, [{ key: 'Accept', value: 'text/html' }]);
  });

  it('shows a stored monitor for editing with its secrets masked, and a new one with the type’s defaults', () => {
    const stored = storedMonitorForm(
      {
        id: 7,
        name: 'Shop',
        type: 'web',
        target: 'https://shop.example/',
        interval: 60,
        timeout: 10,
        retries: 1,
        quorum: null,
        alerts: ['pager'],
        pollers: [],
        options: { follow_redirects: false, headers: { Authorization: 'Bearer s3cret' } },
      },
      web,
    );
    const view = monitorFormView(stored, context);
    assert.equal(view.editing, true);
    assert.deepEqual(
      view.fields.map((field) => [field.key, field.checked, field.rows]),
      [
        ['follow_redirects', false, []],
        ['headers', false, [{ key: 'Authorization', value: SECRET_MASK }]],
      ],
    );
    assert.ok(!JSON.stringify(view).includes('s3cret'), 'the secret is not in what the page shows');
    assert.deepEqual(
      view.alerts.map((alert) => [alert.name, alert.checked, alert.isDefault]),
      [
        ['ops', false, true],
        ['pager', true, false],
      ],
    );
    assert.deepEqual(view.defaultAlerts, ['ops']);
    assert.equal(monitorFormView(newMonitorForm(web), context).fields[0]!.checked, true, 'follow redirects is on by default');
  });

  it('puts the API’s errors next to their fields and lists the ones that belong to none', () => {
    const state = {
      ...newMonitorForm(web),
      errors: { target: 'Must be a URL.', 'options.headers': 'Bad header.', 'options.ghost': 'Unknown.', '': 'Whole form.' },
    };
    const view = monitorFormView(state, context);
    assert.equal(view.errors.target, 'Must be a URL.');
    assert.equal(view.fields.find((field) => field.key === 'headers')!.error, 'Bad header.');
    assert.deepEqual(view.otherErrors, ['Whole form.', 'ghost: Unknown.']);
    assert.equal(view.hasErrors, true);
  });

  it('lists active pollers as sources, and keeps an offline one the monitor uses', () => {
    const pollers = [
      { id: 1, name: 'Hamburg', location: 'DC 1', active: true },
      { id: 2, name: 'Berlin', location: null, active: false },
      { id: 3, name: 'Munich', location: null, active: false },
    ];
    const view = monitorFormView(
      { ...newMonitorForm(web), values: { ...newMonitorForm(web).values, pollers: [2] } },
      { ...context, pollers },
    );
    assert.deepEqual(
      view.pollers.map((poller) => [poller.name, poller.checked, poller.active]),
      [
        ['Hamburg', false, true],
        ['Berlin', true, false],
      ],
    );
  });
});
