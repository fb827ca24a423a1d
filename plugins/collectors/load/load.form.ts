import { defineForm } from '../../../app/plugin-host/index.js';
import { LoadConfig } from './load.config.js';

/** No options. */
export const loadForm = defineForm(LoadConfig, [], {
  help: 'The load average over 1, 5 and 15 minutes: processes running or waiting to run (or for disk), as `uptime` shows it.',
});
