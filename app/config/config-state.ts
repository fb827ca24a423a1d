import { EXIT_CONFIG, StartupError } from '../runtime/startup-error.js';
import type { ConfigSchema } from './config-core.js';

/*
 * The record of one configuration load: where each key's value came from, and the warnings and refusals
 * in the one wording every config message shares (key, value with secrets hidden, line or variable, what
 * is allowed). The loader (config-core.ts), the schemas' own rules and the plugins' sections
 * (config-rest.ts) all report into it.
 */

export type Table = Record<string, unknown>;

/** A configuration the executable refuses to start with (exit 78); the message names the key, the value and what is allowed. */
export class ConfigError extends StartupError {
  override name = 'ConfigError';
  constructor(message: string) {
    super(message, { exitCode: EXIT_CONFIG });
  }
}

/** What a schema's own rules use to report: the same wording as every other config message. */
export interface ConfigReport {
  /** Refuses `keyPath = value (where): allowed`; `secret` hides the value (default: the schema's secret key names decide). */
  error(keyPath: string, value: unknown, allowed: string, secret?: boolean): void;
  /** Refuses with a message of its own (an environment variable that is not a key). */
  refuse(message: string): void;
  warn(message: string): void;
  /** Records that a key's value came from somewhere other than the file (an environment variable). */
  setOrigin(keyPath: string, origin: string): void;
  /** "line 3", "environment PULSE_X" or "default". */
  where(keyPath: string): string;
}

export class LoadState implements ConfigReport {
  lines = new Map<string, number>();
  /** Key path → where its value came from, when not the file. */
  private readonly origins = new Map<string, string>();
  readonly warnings: string[] = [];
  readonly errors: string[] = [];
  /** Top-level tables left for plugins (pluginSections), by name. */
  readonly openSections = new Map<string, Table>();
  /** PULSE_* variables that are no key of the schema, left for plugins' sections. */
  readonly openEnvironment = new Set<string>();
  constructor(readonly schema: ConfigSchema<object>) {}

  where(keyPath: string): string {
    const origin = this.origins.get(keyPath);
    if (origin) return origin;
    const line = this.lines.get(keyPath);
    return line !== undefined ? `line ${line}` : 'default';
  }
  setOrigin(keyPath: string, origin: string): void {
    this.origins.set(keyPath, origin);
  }
  warnUnknown(keyPath: string): void {
    this.warnings.push(`Unknown configuration key "${keyPath}" (${this.where(keyPath)}) ignored`);
  }
  warn(message: string): void {
    this.warnings.push(message);
  }
  error(keyPath: string, value: unknown, allowed: string, secret?: boolean): void {
    this.errors.push(`${keyPath} = ${this.shown(keyPath, value, secret)} (${this.where(keyPath)}): ${allowed}`);
  }
  refuse(message: string): void {
    this.errors.push(message);
  }

  private shown(keyPath: string, value: unknown, secret?: boolean): string {
    const last = keyPath
      .split('.')
      .pop()!
      .replace(/\[\d+\]$/, '');
    if ((secret ?? this.schema.secretKeys.has(last)) && value !== '') return '<hidden>';
    if (value instanceof Date) return value.toISOString();
    return JSON.stringify(value) ?? String(value);
  }
}

/** Environment values are text; read them as the type of the default they replace. */
export function fromEnvironment(text: string, current: unknown): unknown {
  if (typeof current === 'number' && /^-?\d+(\.\d+)?$/.test(text.trim())) return Number(text.trim());
  if (typeof current === 'boolean') {
    const word = text.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(word)) return true;
    if (['false', '0', 'no', 'off'].includes(word)) return false;
  }
  if (Array.isArray(current)) {
    const trimmed = text.trim();
    if (trimmed.startsWith('[')) {
      try {
        return JSON.parse(trimmed);
      } catch {
        return text;
      }
    }
    return trimmed === '' ? [] : trimmed.split(',').map((item) => item.trim());
  }
  return text;
}
