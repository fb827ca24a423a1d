/** The load collector has no options. */
export class LoadConfig {}
