import type { ConfigOrigins } from '../config/config-core.js';
import { SECRET_MASK } from '../plugin-host/plugin-secrets.js';

/** One key of the effective configuration as the Settings page shows it. */
export interface SettingRow {
  /** The key inside its table (`listen`), or a dotted path for nested values (`options.topic`). */
  key: string;
  /** TOML-like: `":5000"`, `30`, `true`, `["127.0.0.1"]`; secrets `"********"` (an empty one stays `""`). */
  value: string;
  origin: 'default' | 'file' | 'environment';
  /** `line 12`, `PULSE_HTTP_LISTEN`, `default`. */
  originText: string;
  /** A secret with a value (shown masked). */
  secret: boolean;
}

export interface SettingsTable {
  /** `[http]`, `[[alarms]] #1`, `[alerts.ops]`, or '' for the top-level keys. */
  heading: string;
  /** Unique, usable in an id attribute: `http`, `alarms-1`, `alerts-ops`, `top`. */
  id: string;
  /** Who reads this table when Pulse itself does not: `the mail alerter`. */
  owner?: string;
  rows: SettingRow[];
}

/** A section a plugin owns (`[mail]`): Pulse's schema does not know it, its owner read it. */
export interface PluginSection {
  name: string;
  /** `the mail alerter` */
  owner: string;
  /** Every key of the section as the server runs with it. */
  values: Readonly<Record<string, unknown>>;
}

export interface EffectiveConfigOptions {
  /** Key names (the last part of a path) whose values are never shown. */
  secretKeys: ReadonlySet<string>;
  /** Whether the value at a full key path is a secret for its owner (`alerts.ops.options.token`, `mail.password`). */
  isSecret?(keyPath: string): boolean;
  /** Sections plugins own, shown after Pulse's own. */
  pluginSections?: readonly PluginSection[];
}

/** Names that hold credentials whatever the schema calls them. */
const SECRET_NAME = /(password|secret|token|api_key|_key|community|passphrase)$/i;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
/** An instance of a config class (a `[section]`); TOML's own tables are plain objects, some without a prototype. */
const isSection = (value: unknown): value is object => {
  if (!isPlainObject(value)) return false;
  const prototype = Object.getPrototypeOf(value) as object | null;
  return prototype !== null && prototype !== Object.prototype;
};
const slug = (text: string) => text.replace(/[^A-Za-z0-9_-]+/g, '-');

/**
 * The configuration Pulse runs with, table by table as the file would have it, each key with its value
 * (secrets masked: by the schema's names, by a credential-like name, or as the owning plugin says) and
 * where it came from (the file's line, an environment variable, or the default).
 */
export function effectiveConfig(config: object, origins: ConfigOrigins | undefined, options: EffectiveConfigOptions): SettingsTable[] {
  const row = (keyPath: string, key: string, value: unknown, secret: boolean, inlineTable?: string): SettingRow => {
    // An entry of an inline table (`options = { … }`, on one line) has the table's origin.
    let where = origins?.where(keyPath) ?? 'default';
    if (where === 'default' && inlineTable) where = origins?.where(inlineTable) ?? 'default';
    const origin = where.startsWith('line ') ? 'file' : where.startsWith('environment ') ? 'environment' : 'default';
    const hasValue = value !== '' && value !== undefined && value !== null;
    return {
      key,
      value: show(value, secret),
      origin,
      originText: origin === 'environment' ? where.slice('environment '.length) : where,
      secret: secret && hasValue,
    };
  };
  const secretAt = (keyPath: string, key: string) =>
    options.secretKeys.has(key) || SECRET_NAME.test(key) || (options.isSecret?.(keyPath) ?? false);
  /** Rows of a table; a nested table gives one row per entry (`options.topic`), at any depth. */
  const rowsOf = (table: Record<string, unknown>, prefix: string, keyPrefix = '', inlineTable?: string): SettingRow[] =>
    Object.entries(table).flatMap(([key, value]) => {
      const path = `${prefix}${key}`;
      const secret = secretAt(path, key);
      if (isPlainObject(value) && !isSection(value) && !secret && Object.keys(value).length > 0) {
        return rowsOf(value, `${path}.`, `${keyPrefix}${key}.`, inlineTable ?? path);
      }
      return [row(path, `${keyPrefix}${key}`, value, secret, inlineTable)];
    });

  const tables: SettingsTable[] = [];
  const topLevel: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (isSection(value)) {
      tables.push({ heading: `[${key}]`, id: slug(key), rows: rowsOf(value as Record<string, unknown>, `${key}.`) });
    } else if (Array.isArray(value) && value.length > 0 && value.every((item) => isPlainObject(item))) {
      value.forEach((item, index) =>
        tables.push({
          heading: `[[${key}]] #${index + 1}`,
          id: slug(`${key}-${index + 1}`),
          rows: rowsOf(item as Record<string, unknown>, `${key}[${index}].`),
        }),
      );
    } else if (isPlainObject(value) && Object.keys(value).length > 0 && Object.values(value).every((item) => isPlainObject(item))) {
      // `[alerts.NAME]`: one table per name.
      for (const [name, item] of Object.entries(value)) {
        tables.push({
          heading: `[${key}.${name}]`,
          id: slug(`${key}-${name}`),
          rows: rowsOf(item as Record<string, unknown>, `${key}.${name}.`),
        });
      }
    } else if (!(Array.isArray(value) && value.length === 0) && !(isPlainObject(value) && Object.keys(value).length === 0)) {
      topLevel[key] = value;
    }
  }
  for (const section of options.pluginSections ?? []) {
    tables.push({
      heading: `[${section.name}]`,
      id: slug(section.name),
      owner: section.owner,
      rows: rowsOf({ ...section.values }, `${section.name}.`),
    });
  }
  return [{ heading: '', id: 'top', rows: rowsOf(topLevel, '') }, ...tables];
}

function show(value: unknown, secret: boolean): string {
  if (secret && value !== '' && value !== undefined && value !== null) {
    // A map of secrets (headers): the names stay readable, every value is masked.
    if (isPlainObject(value))
      return `{ ${Object.keys(value)
        .map((key) => `${key} = ${JSON.stringify(SECRET_MASK)}`)
        .join(', ')} }`;
    return JSON.stringify(SECRET_MASK);
  }
  if (value instanceof Date) return value.toISOString();
  if (value === undefined) return '(not set)';
  // Lists as the file writes them: `["127.0.0.1", "10.0.0.0/8"]`.
  if (Array.isArray(value)) return `[${value.map((item) => JSON.stringify(item) ?? String(item)).join(', ')}]`;
  return JSON.stringify(value) ?? String(value);
}
