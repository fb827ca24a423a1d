import { defineForm } from '../../../app/plugin-host/index.js';
import { WebhookConfig } from './webhook.config.js';

/** A webhook channel's settings as a form: where to POST the JSON, and extra headers. */
export const webhookForm = defineForm(
  WebhookConfig,
  [
    { name: 'url', type: 'text', label: 'URL', required: true, placeholder: 'https://hooks.example.com/pulse' },
    {
      name: 'headers',
      type: 'map',
      label: 'Extra request headers',
      help: 'e.g. Authorization: Bearer … for the receiving end. Values are kept secret: shown masked, and a masked value sent back keeps the stored one.',
      secret: true,
      placeholder: 'Header-Name',
    },
  ],
  {
    help: 'Alarms send Lovebeat’s body (name, from_state, to_state, incident_number); monitors add kind, id, message, sources and url.',
  },
);
