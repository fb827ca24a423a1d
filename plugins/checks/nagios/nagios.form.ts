import { defineForm } from '../../../app/plugin-host/index.js';
import { NagiosConfig } from './nagios.config.js';

/** The nagios check's options as a form. */
export const nagiosForm = defineForm(
  NagiosConfig,
  [
    {
      name: 'args',
      type: 'list',
      separator: 'lines',
      label: 'Arguments',
      help: 'One argument per line, passed exactly as typed (no shell, commas and spaces kept), e.g. -H, 127.0.0.1, -p, 22 on four lines, or -w and 100,20% on two.',
      placeholder: '-H',
    },
  ],
  {
    help: 'Runs the plugin named as the target from the allowed plugin directories: exit code 0 is up, 1 a warning, 2 down, 3 or anything else unknown (down).',
  },
);
