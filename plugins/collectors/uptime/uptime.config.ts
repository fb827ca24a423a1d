/** The uptime collector has no options. */
export class UptimeConfig {}
