import { defineForm } from '../../../app/plugin-host/index.js';
import { MailConfig } from './mail.config.js';

/** Left as "Server setting", a yes/no option follows [mail] (a checkbox could not say "not set"). */
const inheritedSwitch = (setting: string, yes: string, no: string) => ({
  type: 'select' as const,
  inherits: setting,
  choices: [
    { value: '', label: `Server setting (${setting})` },
    { value: true, label: yes },
    { value: false, label: no },
  ],
});

/**
 * A mail channel's settings as a form. Only the recipients belong to the channel; every other field
 * starts empty and so follows the server-wide [mail] / [mailgun] sections, unless filled in here.
 */
export const mailForm = defineForm(
  MailConfig,
  [
    {
      name: 'to',
      type: 'text',
      label: 'Recipients',
      help: 'One or more addresses, comma-separated.',
      required: true,
      placeholder: 'ops@example.com, oncall@example.com',
    },
    { name: 'server', type: 'text', label: 'SMTP relay (host:port)', inherits: '[mail] server', placeholder: 'smtp.example.com:587' },
    { name: 'from', type: 'text', label: 'Sender address', inherits: '[mail] from' },
    { name: 'username', type: 'text', label: 'SMTP user', inherits: '[mail] username' },
    { name: 'password', type: 'secret', label: 'SMTP password', inherits: '[mail] password' },
    {
      name: 'starttls',
      type: 'select',
      label: 'STARTTLS',
      inherits: '[mail] starttls',
      choices: [
        { value: '', label: 'Server setting ([mail] starttls)' },
        { value: 'auto', label: 'When the relay offers it' },
        { value: 'always', label: 'Always (refuse clear text)' },
        { value: 'never', label: 'Never' },
      ],
    },
    { name: 'tls', label: 'Implicit TLS (SMTPS, port 465)', ...inheritedSwitch('[mail] tls', 'Yes', 'No') },
    {
      name: 'ignore_tls_errors',
      label: 'Relay certificate',
      ...inheritedSwitch('[mail] ignore_tls_errors', 'Accept any certificate', 'Verify it'),
    },
    {
      name: 'mailgun_domain',
      type: 'text',
      label: 'Mailgun domain',
      help: 'Set, mail goes through Mailgun’s API instead of SMTP.',
      inherits: '[mailgun] domain',
    },
    { name: 'mailgun_from', type: 'text', label: 'Mailgun sender address', inherits: '[mailgun] from' },
    { name: 'mailgun_api_key', type: 'secret', label: 'Mailgun API key', inherits: '[mailgun] api_key' },
    { name: 'mailgun_url', type: 'text', label: 'Mailgun API URL', inherits: '[mailgun] url', placeholder: 'https://api.eu.mailgun.net' },
  ],
  { help: 'Sent through the relay in [mail], or Mailgun’s API when [mailgun] domain is set; fields left empty follow those settings.' },
);
