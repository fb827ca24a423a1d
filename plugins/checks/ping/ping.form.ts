import { defineForm } from '../../../app/plugin-host/index.js';
import { PingConfig } from './ping.config.js';

/** The ping check's options as a form. */
export const pingForm = defineForm(PingConfig, [
  {
    name: 'count',
    type: 'number',
    label: 'Echo requests per check',
    help: 'All lost is down, some lost a warning; latency is the average round trip.',
    min: 1,
    max: 20,
    step: 1,
  },
]);
