import { defineForm } from '../../../app/plugin-host/index.js';
import { MemoryConfig } from './memory.config.js';

/** No options. */
export const memoryForm = defineForm(MemoryConfig, [], {
  help: 'Memory and swap in use. Used memory is what programs hold: the total less what the kernel says is available (caches it can drop count as free).',
});
