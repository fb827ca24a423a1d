import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeForm, formValues, validatePluginConfig } from '../../../app/plugin-host/index.js';
import { HttpConfig } from './http.config.js';
import { httpForm } from './http.form.js';

const submit = (fields: Record<string, string | string[]>) => validatePluginConfig(HttpConfig, decodeForm(httpForm, fields, 'options.'));

describe('http check form', () => {
  it('shows a new form with the defaults: GET, redirects followed, 200-399 accepted', () => {
    const values = formValues(httpForm, {});
    assert.deepEqual(
      [values.method, values.follow_redirects, values.max_redirects, values.accepted_codes, values.headers, values.max_latency_ms],
      ['GET', true, '10', '200-399', [], '0'],
    );
  });

  it('turns a submitted form into the check config: headers from rows, redirects off, codes and a duration', () => {
    const result = submit({
      'options.method': 'POST',
      'options.headers[key]': ['Accept', 'Authorization', ''],
      'options.headers[value]': ['application/json', 'Bearer abc', ''],
      'options.body': '{"ping": true}',
      'options.accepted_codes': '200-299\n301',
      'options.keyword': 'pong',
      'options.keyword_absent': '',
      // follow_redirects unchecked: the browser sends nothing
      'options.max_redirects': '10',
      'options.max_latency_ms': '1.5s',
    });
    assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
    assert.deepEqual(
      { ...result.value },
      {
        method: 'POST',
        headers: { Accept: 'application/json', Authorization: 'Bearer abc' },
        body: '{"ping": true}',
        accepted_codes: ['200-299', '301'],
        keyword: 'pong',
        keyword_absent: '',
        follow_redirects: false,
        max_redirects: 10,
        ignore_tls_errors: false,
        max_latency_ms: 1500,
      },
    );
  });

  it('refuses what the check cannot use, on the field that holds it', () => {
    const result = submit({
      'options.method': 'FETCH',
      'options.headers[key]': ['Bad Header'],
      'options.headers[value]': ['x'],
      'options.accepted_codes': '200, 600',
      'options.follow_redirects': 'true',
      'options.max_redirects': '11',
      'options.max_latency_ms': 'soon',
    });
    assert.ok(!result.ok);
    assert.deepEqual(Object.fromEntries(result.errors.map((error) => [error.field, error.message])), {
      method: 'must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
      headers: 'must be an object of header names to string values, e.g. {"Accept": "text/html"}',
      accepted_codes: 'must be a list of status codes or ranges, e.g. ["200-299", "301"]',
      max_redirects: 'must be at most 10',
      max_latency_ms: 'must be a whole number of milliseconds',
    });
  });
});
