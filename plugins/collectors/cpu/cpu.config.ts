/** The cpu collector has no options: it measures the whole machine between two collections. */
export class CpuConfig {}
