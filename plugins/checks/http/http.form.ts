import { defineForm } from '../../../app/plugin-host/index.js';
import { HTTP_METHODS, HttpConfig } from './http.config.js';

/** The http check's options as a form. */
export const httpForm = defineForm(HttpConfig, [
  { name: 'method', type: 'select', label: 'Method', choices: HTTP_METHODS.map((method) => ({ value: method, label: method })) },
  {
    name: 'headers',
    type: 'map',
    label: 'Request headers',
    help: 'Sent with every request, e.g. Accept: application/json or Authorization: Bearer …',
    placeholder: 'Header-Name',
  },
  { name: 'body', type: 'textarea', label: 'Request body', help: 'Sent as is; set a Content-Type header to match.' },
  {
    name: 'accepted_codes',
    type: 'list',
    label: 'Accepted status codes',
    help: 'Codes and ranges that count as up, one per line or comma-separated, e.g. 200-299, 301. Empty: 200-399.',
    placeholder: '200-399',
  },
  {
    name: 'keyword',
    type: 'text',
    label: 'Text that must appear',
    help: 'Searched in the first 1 MiB of the body, case-sensitive. Empty: not checked.',
  },
  {
    name: 'keyword_absent',
    type: 'text',
    label: 'Text that must not appear',
    help: 'Searched in the first 1 MiB of the body, case-sensitive. Empty: not checked.',
  },
  { name: 'follow_redirects', type: 'boolean', label: 'Follow redirects (301, 302, 303, 307, 308)' },
  {
    name: 'max_redirects',
    type: 'number',
    label: 'At most this many redirects',
    min: 0,
    max: 10,
    step: 1,
    when: { field: 'follow_redirects', in: [true] },
  },
  {
    name: 'ignore_tls_errors',
    type: 'boolean',
    label: 'Ignore TLS certificate errors',
    help: 'Accepts expired, self-signed and wrong-host certificates; watch those with an ssl monitor.',
  },
  {
    name: 'max_latency_ms',
    type: 'duration',
    unit: 'ms',
    label: 'Warning when slower than',
    help: 'e.g. 800ms or 2s. 0: never.',
    min: 0,
    max: 3_600_000,
  },
]);
