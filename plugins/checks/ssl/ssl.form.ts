import { defineForm } from '../../../app/plugin-host/index.js';
import { SslConfig } from './ssl.config.js';

/** The ssl check's options as a form. */
export const sslForm = defineForm(SslConfig, [
  {
    name: 'warn_days',
    type: 'number',
    label: 'Warning when the certificate expires within (days)',
    min: 0,
    max: 3650,
    step: 1,
  },
  { name: 'allow_self_signed', type: 'boolean', label: 'Accept self-signed and private-CA certificates' },
  {
    name: 'server_name',
    type: 'text',
    label: 'Server name (SNI)',
    help: 'Sent in the handshake and checked against the certificate. Empty: the target’s host.',
    placeholder: 'the target’s host',
  },
  {
    name: 'ca_certificates',
    type: 'textarea',
    label: 'Extra trusted CA certificates (PEM)',
    help: 'e.g. a company’s private CA, trusted next to the system’s CAs.',
    placeholder: '-----BEGIN CERTIFICATE-----',
  },
]);
