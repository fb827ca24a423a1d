import { defineForm } from '@lillydoo-pulse/plugin-sdk';
import { NtfyConfig, PRIORITIES } from './ntfy.config.js';

/** Every option as a form field: the console renders the channel's form from this. */
export const ntfyForm = defineForm(
  NtfyConfig,
  [
    { name: 'server', type: 'text', label: 'Server', placeholder: 'https://ntfy.sh', required: true },
    {
      name: 'topic',
      type: 'text',
      label: 'Topic',
      placeholder: 'pulse-ops',
      required: true,
      help: 'Anyone who knows a topic on ntfy.sh can read it: pick one that is hard to guess, or use a token.',
    },
    { name: 'token', type: 'secret', label: 'Access token', help: 'For protected topics; empty for open ones.' },
    { name: 'priority', type: 'select', label: 'Priority of problems', choices: PRIORITIES.map((value) => ({ value, label: value })) },
  ],
  { help: 'Push notifications to phones and desktops through an ntfy server.' },
);
