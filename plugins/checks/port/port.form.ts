import { defineForm } from '../../../app/plugin-host/index.js';
import { PortConfig } from './port.config.js';

/** The port check has no options: the target ("host:port") and the monitor's timeout say it all. */
export const portForm = defineForm(PortConfig, [], {
  help: 'Connects to the target over TCP; the monitor is up when the connection opens within the timeout.',
});
