import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { validateSync, type ValidationError } from 'class-validator';
import { ConfigRest } from './config-rest.js';
import { ConfigError, fromEnvironment, LoadState, type ConfigReport, type Table } from './config-state.js';
import { tomlKeyLines } from './toml-key-lines.js';

export { ConfigRest } from './config-rest.js';
export { ConfigError, type ConfigReport } from './config-state.js';

/*
 * The one configuration loader of all three executables. A schema says which classes make up a role's
 * configuration (defaults as initializers, class-validator rules whose messages say what is allowed); the
 * core reads the TOML file, warns about unknown keys with their line, applies PULSE_* environment
 * overrides, validates everything and refuses the start with every invalid value at once, each named by
 * key, value (secrets hidden), line or environment variable, and what is allowed.
 */

export interface ConfigInputs {
  /** `--config FILE` */
  configPath?: string;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Tests point this elsewhere; production uses the role's path in the roles table. */
  defaultPath?: string;
}

export interface LoadedConfig<T> {
  config: T;
  /** The file read, or null when running on defaults. */
  file: string | null;
  /** Unknown keys and environment variables, and settings worth a word at every start: a warning, not a refusal. */
  warnings: string[];
  /**
   * What the schema leaves to others (plugins' `[sections]`, the keys inside raw named tables): read it
   * with `claimSection`, then `settle()` warns about what nobody claimed and refuses what was invalid.
   */
  rest: ConfigRest;
}

type ConfigClass = new () => object;

export interface ConfigSchema<T extends object> {
  /** The root class: its own fields are top-level keys; fields holding a class instance are `[section]` tables. */
  create(): T;
  /** The file read when neither --config nor PULSE_CONFIG is given (if it exists). */
  defaultPath: string;
  /** Whether the role can run without any file (the server can; a poller needs its server and token). */
  needsFile?: boolean;
  /** `[[name]]` tables: each item a class instance. */
  lists?: Record<string, ConfigClass>;
  /** `[name.ANY]` tables: a record of class instances. */
  namedTables?: Record<string, ConfigClass>;
  /**
   * `[name.ANY]` tables kept as written (`[alerts.ops]`): the schema knows they exist, their keys belong to
   * others (the alerters declare theirs) and are read with the loaded config's `rest`.
   */
  rawNamedTables?: readonly string[];
  /**
   * Top-level tables the schema does not know, and PULSE_* variables that are no key of it, are kept for
   * plugins (`rest.claimSection`) instead of being warned about at once; `rest.settle()` warns about the
   * ones no plugin claimed.
   */
  pluginSections?: boolean;
  /** Key names (the last part of a key path) whose values are never echoed. */
  secretKeys: ReadonlySet<string>;
  /** PULSE_* names understood though they are no key (besides PULSE_CONFIG). */
  environmentNames?: ReadonlySet<string>;
  /** After the PULSE_<KEY> overrides: environment variables that are not plain keys (PULSE_PORT). */
  applyEnvironment?(config: T, env: Record<string, string | undefined>, report: ConfigReport): void;
  /** Rules across keys, and checks of what the values point at (a file that must exist). */
  check?(config: T, report: ConfigReport, inputs: ConfigInputs): void;
  /** Once valid: derived values (paths resolved against the working directory). */
  finish?(config: T, inputs: ConfigInputs): void;
}

/** Where a loaded configuration came from: its file, and for each key the file's line, a variable or the default. */
export interface ConfigOrigins {
  file: string | null;
  /** "line 3", "environment PULSE_X" or "default", for a key path like `http.listen` or `alarms[0].name`. */
  where(keyPath: string): string;
}

const ORIGINS = new WeakMap<object, ConfigOrigins>();

/** The origins recorded when `config` was loaded (the console's Settings page shows them), if it was. */
export function configOrigins(config: object): ConfigOrigins | undefined {
  return ORIGINS.get(config);
}

/** Loads, overrides and validates one role's configuration; throws ConfigError listing every problem. */
export function loadConfig<T extends object>(schema: ConfigSchema<T>, inputs: ConfigInputs): LoadedConfig<T> {
  const defaultPath = inputs.defaultPath ?? schema.defaultPath;
  const file = chooseConfigFile(inputs, defaultPath, schema.needsFile ?? false);
  const state = new LoadState(schema);
  const config = schema.create();

  if (file) {
    const text = readFileSync(file, 'utf8');
    state.lines = tomlKeyLines(text);
    let raw: Table;
    try {
      raw = parseToml(text) as Table;
    } catch (error) {
      if (error instanceof TomlError) {
        const firstLine = error.message.split('\n')[0];
        throw new ConfigError(`${file}: line ${error.line}, column ${error.column}: ${firstLine}`);
      }
      throw error;
    }
    applyDocument(schema, config, raw, state);
  }
  applyEnvironment(schema, config, inputs.env, state);
  validate(schema, config, state);
  schema.check?.(config, state, inputs);
  const where = file ? ` (${file})` : schema.needsFile ? ` (no file: ${defaultPath} does not exist; give --config FILE)` : '';
  const rest = new ConfigRest(state, `Invalid configuration${where}`, inputs.env);
  // With plugin sections, refusals wait for rest.settle(), so the plugins' problems are listed with the schema's.
  if (!schema.pluginSections) rest.throwIfInvalid();
  if (state.errors.length === 0) schema.finish?.(config, inputs);
  ORIGINS.set(config, { file, where: (keyPath) => state.where(keyPath) });
  return { config, file, warnings: [...state.warnings], rest };
}

function chooseConfigFile({ configPath, env, cwd }: ConfigInputs, defaultPath: string, needsFile: boolean): string | null {
  const explicit = configPath ?? (env.PULSE_CONFIG || undefined);
  if (explicit !== undefined) {
    const resolved = path.resolve(cwd, explicit);
    if (!existsSync(resolved)) {
      const from = configPath !== undefined ? '--config' : 'PULSE_CONFIG';
      const otherwise = needsFile ? `, or leave it out to read ${defaultPath}` : ', or leave it out to run on defaults';
      throw new ConfigError(`${from} ${explicit}: no such file. Give the path of a TOML file${otherwise}.`);
    }
    return resolved;
  }
  return existsSync(defaultPath) ? defaultPath : null;
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A field holding an instance of a config class is a `[section]`; plain records and lists are not. */
function isSection(value: unknown): value is object {
  return isTable(value) && Object.getPrototypeOf(value) !== Object.prototype;
}

/** The `[section]` fields of a configuration object, by key. */
export function configSections(config: object): [string, object][] {
  return Object.entries(config).filter((entry): entry is [string, object] => isSection(entry[1]));
}

function applyDocument<T extends object>(schema: ConfigSchema<T>, config: T, raw: Table, state: LoadState): void {
  const root = config as unknown as Table;
  for (const [key, value] of Object.entries(raw)) {
    const current = Object.prototype.hasOwnProperty.call(root, key) ? root[key] : undefined;
    if (isSection(current)) {
      // Lovebeat's own docs show `[[metrics]]` once; accept a one-element array of a single section too.
      const table = Array.isArray(value) && value.length === 1 && isTable(value[0]) ? value[0] : value;
      if (!isTable(table)) state.error(key, value, `must be a table: [${key}]`);
      else applyKeys(current, table, key, state);
    } else if (schema.lists && key in schema.lists) {
      applyList(root, key, schema.lists[key]!, value, state);
    } else if (schema.namedTables && key in schema.namedTables) {
      applyNamedTables(root, key, schema.namedTables[key]!, value, state);
    } else if (schema.rawNamedTables?.includes(key)) {
      if (!isTable(value) || !Object.values(value).every(isTable)) state.error(key, value, `must be named tables: [${key}.NAME]`);
      else root[key] = { ...value };
    } else if (current !== undefined && !isTable(value)) {
      root[key] = value;
    } else if (schema.pluginSections && current === undefined && isTable(value)) {
      state.openSections.set(key, value);
    } else {
      state.warnUnknown(key);
    }
  }
}

function applyKeys(target: object, raw: Table, prefix: string, state: LoadState): void {
  for (const [key, value] of Object.entries(raw)) {
    const keyPath = `${prefix}.${key}`;
    if (Object.prototype.hasOwnProperty.call(target, key)) (target as Table)[key] = value;
    else state.warnUnknown(keyPath);
  }
}

function applyList(root: Table, key: string, itemClass: ConfigClass, value: unknown, state: LoadState): void {
  if (!Array.isArray(value) || !value.every(isTable)) {
    state.error(key, value, `must be repeated tables: [[${key}]]`);
    return;
  }
  root[key] = value.map((table, index) => {
    const item = new itemClass();
    applyKeys(item, table, `${key}[${index}]`, state);
    return item;
  });
}

function applyNamedTables(root: Table, key: string, itemClass: ConfigClass, value: unknown, state: LoadState): void {
  if (!isTable(value) || !Object.values(value).every(isTable)) {
    state.error(key, value, `must be named tables: [${key}.NAME]`);
    return;
  }
  const tables = root[key] as Record<string, object>;
  for (const [name, table] of Object.entries(value)) {
    const item = new itemClass();
    applyKeys(item, table as Table, `${key}.${name}`, state);
    tables[name] = item;
  }
}

/** PULSE_<KEY> for top-level keys, PULSE_<SECTION>_<KEY> for section keys. */
function environmentKeys(schema: ConfigSchema<object>, config: object): Map<string, { target: Table; key: string; keyPath: string }> {
  const keys = new Map<string, { target: Table; key: string; keyPath: string }>();
  for (const [key, value] of Object.entries(config)) {
    if (isSection(value)) {
      for (const sectionKey of Object.keys(value)) {
        keys.set(`PULSE_${key}_${sectionKey}`.toUpperCase(), { target: value as Table, key: sectionKey, keyPath: `${key}.${sectionKey}` });
      }
    } else if (
      !(schema.lists && key in schema.lists) &&
      !(schema.namedTables && key in schema.namedTables) &&
      !schema.rawNamedTables?.includes(key)
    ) {
      keys.set(`PULSE_${key}`.toUpperCase(), { target: config as Table, key, keyPath: key });
    }
  }
  return keys;
}

function applyEnvironment<T extends object>(
  schema: ConfigSchema<T>,
  config: T,
  env: Record<string, string | undefined>,
  state: LoadState,
): void {
  const keys = environmentKeys(schema, config);
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('PULSE_') || text === undefined) continue;
    const entry = keys.get(name);
    if (entry) {
      entry.target[entry.key] = fromEnvironment(text, entry.target[entry.key]);
      state.setOrigin(entry.keyPath, `environment ${name}`);
    } else if (name !== 'PULSE_CONFIG' && !schema.environmentNames?.has(name) && !name.startsWith('PULSE_TEST_')) {
      if (schema.pluginSections) state.openEnvironment.add(name);
      else state.warn(`Unknown environment variable ${name} ignored`);
    }
  }
  schema.applyEnvironment?.(config, env, state);
}

/** Decorators run bottom-up; the schemas put each type check last so it is the one reported. */
const VALIDATION = { stopAtFirstError: true };

function validate<T extends object>(schema: ConfigSchema<T>, config: T, state: LoadState): void {
  const root = config as unknown as Table;
  report(validateSync(config, VALIDATION), '', state);
  for (const [name, section] of configSections(config)) report(validateSync(section, VALIDATION), name, state);
  for (const key of Object.keys(schema.lists ?? {})) {
    (root[key] as object[]).forEach((item, index) => report(validateSync(item, VALIDATION), `${key}[${index}]`, state));
  }
  for (const key of Object.keys(schema.namedTables ?? {})) {
    for (const [name, item] of Object.entries(root[key] as Record<string, object>))
      report(validateSync(item, VALIDATION), `${key}.${name}`, state);
  }
}

function report(errors: ValidationError[], prefix: string, state: LoadState): void {
  for (const error of errors) {
    const keyPath = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    state.error(keyPath, error.value, [...new Set(messages)].join('; '));
  }
}
