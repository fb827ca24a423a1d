/** The memory collector has no options. */
export class MemoryConfig {}
