import type { ConfigOrigins } from '../config/config-core.js';
import { SECRET_MASK } from '../plugin-host/plugin-secrets.js';

/** One key of the effective configuration as the Settings page shows it. */
export interface SettingRow {
  /** The key inside its table (`listen`), or a dotted path for nested values (`options.topic`). */
  key: string;
  /** TOML-like: `":5000"`, `30`, `true`, `["127.0.0.1"]`; secrets `"********"` (an empty one stays `""`). */
  value: string;
  origin: 'default' | 'file' | 'environment' | 'derived';
  /** `line 12`, `PULSE_HTTP_LISTEN`, `default`. */
  originText: string;
  secret: boolean;
}

export interface SettingsTable {
  /** `[http]`, `[[alarms]] #1`, `[alerts.ops]`, or '' for the top-level keys. */
  heading: string;
  id: string;
  rows: SettingRow[];
}

export interface EffectiveConfigOptions {
  /** Key names (the last part of a path) whose values are never shown. */
  secretKeys: ReadonlySet<string>;
  /** Secret option names of an alerter, for `[alerts.NAME] options` (unknown alerter: every option is masked). */
  alerterSecrets?(type: string): readonly string[] | undefined;
  /** Keys whose value Pulse worked out at start from others (paths resolved against the working directory). */
  derived?: ReadonlySet<string>;
}

/** Names that hold credentials whatever the schema calls them. */
const SECRET_NAME = /(password|secret|token|api_key|_key|community)$/i;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
/** An instance of a config class (a `[section]`); TOML's own tables are plain objects, some without a prototype. */
const isSection = (value: unknown): value is object => {
  if (!isPlainObject(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype !== null && prototype !== Object.prototype;
};

/**
 * The configuration Pulse runs with, table by table as the file would have it, each key with its value
 * (secrets masked) and where it came from (the file's line, an environment variable, or the default).
 */
export function effectiveConfig(config: object, origins: ConfigOrigins | undefined, options: EffectiveConfigOptions): SettingsTable[] {
  const root = config as Record<string, unknown>;
  const row = (keyPath: string, key: string, value: unknown, secret: boolean, inlineTable?: string): SettingRow => {
    // An entry of an inline table (`options = { … }`, on one line) has the table's origin.
    let where = origins?.where(keyPath) ?? 'default';
    if (where === 'default' && inlineTable) where = origins?.where(inlineTable) ?? 'default';
    const derived = options.derived?.has(keyPath) && where === 'default';
    const origin = where.startsWith('line ') ? 'file' : where.startsWith('environment ') ? 'environment' : derived ? 'derived' : 'default';
    return {
      key,
      value: show(value, secret),
      origin,
      originText: origin === 'environment' ? where.slice('environment '.length) : derived ? 'worked out at start' : where,
      secret: secret && value !== '' && value !== undefined && value !== null,
    };
  };
  const secretName = (key: string) => options.secretKeys.has(key) || SECRET_NAME.test(key);
  /** Rows of a table; an inline table (`options = { … }`) gives one row per entry, at any depth, each masked by name. */
  const rowsOf = (table: Record<string, unknown>, prefix: string, extraSecrets: readonly string[] = [], keyPrefix = '', inlineTable?: string): SettingRow[] =>
    Object.entries(table).flatMap(([key, value]) => {
      const path = `${prefix}${key}`;
      const secret = secretName(key) || extraSecrets.includes(key);
      if (isPlainObject(value) && !isSection(value) && !secret && Object.keys(value).length > 0) {
        return rowsOf(value, `${path}.`, [], `${keyPrefix}${key}.`, inlineTable ?? path);
      }
      return [row(path, `${keyPrefix}${key}`, value, secret, inlineTable)];
    });

  const tables: SettingsTable[] = [];
  const topLevel: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(root)) {
    if (isSection(value)) {
      tables.push({ heading: `[${key}]`, id: key, rows: rowsOf(value as Record<string, unknown>, `${key}.`) });
    } else if (Array.isArray(value) && value.every((item) => isSection(item) || isPlainObject(item)) && value.length > 0) {
      value.forEach((item, index) =>
        tables.push({ heading: `[[${key}]] #${index + 1}`, id: `${key}-${index + 1}`, rows: rowsOf(item as Record<string, unknown>, `${key}[${index}].`) }),
      );
    } else if (isPlainObject(value) && Object.values(value).every((item) => isPlainObject(item))) {
      for (const [name, item] of Object.entries(value)) {
        const table = item as Record<string, unknown>;
        const type = typeof table.type === 'string' ? table.type : '';
        // Unknown alerter: its options could all be secrets, so all are masked.
        const extra = type ? (options.alerterSecrets?.(type) ?? Object.keys(isPlainObject(table.options) ? table.options : {})) : [];
        // The alerter's secrets name entries of `options`, not the channel's own keys.
        const rows = rowsOf(table, `${key}.${name}.`).filter((candidate) => !candidate.key.startsWith('options.'));
        const optionRows = isPlainObject(table.options)
          ? rowsOf(table.options, `${key}.${name}.options.`, extra, 'options.', `${key}.${name}.options`)
          : [];
        tables.push({ heading: `[${key}.${name}]`, id: `${key}-${name}`, rows: [...rows.filter((candidate) => candidate.key !== 'options'), ...optionRows] });
      }
    } else {
      topLevel[key] = value;
    }
  }
  return [{ heading: '', id: 'top', rows: rowsOf(topLevel, '') }, ...tables];
}

function show(value: unknown, secret: boolean): string {
  if (secret && value !== '' && value !== undefined && value !== null) {
    // A map of secrets (headers): the names stay readable, every value is masked.
    if (isPlainObject(value)) return `{ ${Object.keys(value).map((key) => `${key} = ${JSON.stringify(SECRET_MASK)}`).join(', ')} }`;
    return JSON.stringify(SECRET_MASK);
  }
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return '(not set)';
  return JSON.stringify(value) ?? String(value);
}
