import { defineForm } from '../../../app/plugin-host/index.js';
import { UptimeConfig } from './uptime.config.js';

/** No options. */
export const uptimeForm = defineForm(UptimeConfig, [], {
  help: 'Seconds since the machine booted, its host name and its operating system.',
});
