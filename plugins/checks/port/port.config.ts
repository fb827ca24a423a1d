/** The port check needs nothing beyond its target ("host:port") and the monitor's timeout. */
export class PortConfig {}
