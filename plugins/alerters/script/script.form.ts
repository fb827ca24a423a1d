import { defineForm } from '../../../app/plugin-host/index.js';
import { ScriptConfig } from './script.config.js';

/** A script channel's settings as a form: the executable to run on each state change. */
export const scriptForm = defineForm(ScriptConfig, [
  {
    name: 'path',
    type: 'text',
    label: 'Executable',
    help: 'An absolute path under the server’s [alerting] script_dir, run with no arguments; the event arrives in LOVEBEAT_* and PULSE_* environment variables. Killed after 10 s.',
    required: true,
    placeholder: '/etc/lillydoo-pulse/alert-scripts/notify.sh',
  },
]);
