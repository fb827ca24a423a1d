import { defineForm } from '../../../app/plugin-host/index.js';
import { CpuConfig } from './cpu.config.js';

/** No options. */
export const cpuForm = defineForm(CpuConfig, [], {
  help: 'CPU use of the whole machine (all cores) since the previous collection, and the number of cores.',
});
