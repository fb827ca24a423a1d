/** sysexits.h: EX_USAGE and EX_CONFIG, so systemd and scripts can tell a bad command line or file from a crash. */
export const EXIT_USAGE = 64;
export const EXIT_CONFIG = 78;

/**
 * An error at start that the user can fix: the executable prints its message alone (the stack only with
 * --debug) and exits with `exitCode`. Features throw it (or a subclass) instead of a bare Error.
 */
export class StartupError extends Error {
  override name = 'StartupError';
  /** 1 by default; 78 (EX_CONFIG) when the configuration or a file it names is at fault. */
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number } = {}) {
    super(message);
    this.exitCode = options.exitCode ?? 1;
  }
}
