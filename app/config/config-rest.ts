import { ConfigError, fromEnvironment, type ConfigReport, type LoadState } from './config-state.js';

/**
 * The part of a configuration its schema leaves to others, once the schema's own keys are loaded: the
 * plugins' `[sections]` (an alerter's `[mail]`) and the keys of raw named tables (`[alerts.NAME]`). Owners
 * claim what is theirs and report problems in the loader's own words (key, value, line, what is allowed);
 * `settle()` then warns about what nobody claimed and throws one ConfigError listing every problem.
 */
export class ConfigRest implements ConfigReport {
  private readonly claimed = new Set<string>();
  private readonly warningsFrom: number;

  constructor(
    private readonly state: LoadState,
    /** "Invalid configuration (/etc/…/server.toml)": how the refusal starts. */
    private readonly heading: string,
    private readonly env: Record<string, string | undefined>,
  ) {
    this.warningsFrom = state.warnings.length;
  }

  /** Throws one ConfigError listing every problem reported so far (the schema's and the owners'). */
  throwIfInvalid(): void {
    if (this.state.errors.length > 0) throw new ConfigError(`${this.heading}:\n  ${this.state.errors.join('\n  ')}`);
  }

  where(keyPath: string): string {
    return this.state.where(keyPath);
  }
  error(keyPath: string, value: unknown, allowed: string, secret?: boolean): void {
    this.state.error(keyPath, value, allowed, secret);
  }
  refuse(message: string): void {
    this.state.refuse(message);
  }
  warn(message: string): void {
    this.state.warn(message);
  }
  warnUnknown(keyPath: string): void {
    this.state.warnUnknown(keyPath);
  }
  setOrigin(keyPath: string, origin: string): void {
    this.state.setOrigin(keyPath, origin);
  }

  /** Whether the schema itself has this top-level key (a plugin cannot own `[http]`). */
  isSchemaKey(name: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.state.schema.create(), name);
  }

  /**
   * A `[name]` section a plugin owns, given its keys and their defaults: the keys the file or
   * `PULSE_<NAME>_<KEY>` set (an environment value read as the type of its default); a key it does not
   * have is warned about with its line. Null when the schema has a key of that name itself (refused: the
   * plugin's declaration is wrong).
   */
  claimSection(name: string, defaults: Record<string, unknown>, owner: string): Record<string, unknown> | null {
    if (this.isSchemaKey(name)) {
      this.refuse(
        `${owner} declares the section [${name}], which is one of Pulse's own; a plugin can only own a section Pulse does not have`,
      );
      return null;
    }
    this.claimed.add(name);
    const values: Record<string, unknown> = {};
    const table = this.state.openSections.get(name) ?? {};
    for (const [key, value] of Object.entries(table)) {
      if (Object.prototype.hasOwnProperty.call(defaults, key)) values[key] = value;
      else this.state.warnUnknown(`${name}.${key}`);
    }
    for (const key of Object.keys(defaults)) {
      const variable = `PULSE_${name}_${key}`.toUpperCase();
      const text = this.env[variable];
      if (text === undefined || !this.state.openEnvironment.has(variable)) continue;
      this.state.openEnvironment.delete(variable);
      values[key] = fromEnvironment(text, defaults[key]);
      this.state.setOrigin(`${name}.${key}`, `environment ${variable}`);
    }
    return values;
  }

  /**
   * Once every owner has read its part: warns about top-level tables and PULSE_* variables nobody
   * claimed (unless `unclaimed` is 'ignore', for a command that loads no plugins), and throws one
   * ConfigError naming every problem, the schema's included. Returns the warnings added since loading.
   */
  settle({ unclaimed = 'warn' }: { unclaimed?: 'warn' | 'ignore' } = {}): string[] {
    if (unclaimed === 'warn') {
      for (const name of this.state.openSections.keys()) if (!this.claimed.has(name)) this.state.warnUnknown(name);
      for (const variable of this.state.openEnvironment) this.state.warn(`Unknown environment variable ${variable} ignored`);
    }
    this.state.openSections.clear();
    this.state.openEnvironment.clear();
    this.throwIfInvalid();
    return this.state.warnings.slice(this.warningsFrom);
  }
}
