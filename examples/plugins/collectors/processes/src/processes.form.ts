import { defineForm } from '@lillydoo-pulse/plugin-sdk';
import { ProcessesConfig } from './processes.config.js';

/** Every option as a form field. */
export const processesForm = defineForm(
  ProcessesConfig,
  [
    {
      name: 'names',
      type: 'list',
      separator: 'lines', // a process name may hold a comma or spaces
      label: 'Process names to count',
      placeholder: 'nginx',
      help: 'One per line, as ps -e shows them (the kernel keeps the first 15 characters).',
    },
  ],
  { help: 'Processes and threads on this host by state, read from /proc.' },
);
