import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { validateSync, type ValidationError } from 'class-validator';
import { AlertChannelConfig, LIST_CLASSES, PulseConfig, SECRET_KEYS, SECTION_CLASSES, type SectionName } from './config.schema.js';
import { parseHostPort } from './config-validators.js';
import { tomlKeyLines } from './toml-key-lines.js';
import { alarmDefinitionProblem } from '../alarms/alarm-pattern.js';

export const DEFAULT_SERVER_CONFIG_PATH = '/etc/lillydoo-pulse/server.toml';

/** A configuration Pulse refuses to start with; the message names the key, the value and what is allowed. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadedConfig {
  config: PulseConfig;
  /** The file read, or null when running on defaults. */
  file: string | null;
  /** Unknown keys and environment variables: worth a warning, not a refusal. */
  warnings: string[];
}

export interface ConfigInputs {
  /** `--config FILE` */
  configPath?: string;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Tests point this elsewhere; production uses /etc/lillydoo-pulse/server.toml. */
  defaultPath?: string;
}

type Table = Record<string, unknown>;

/** Environment names that are not config keys but are understood. */
const ENV_NOT_KEYS = new Set(['PULSE_CONFIG', 'PULSE_PORT']);

export function loadServerConfig(inputs: ConfigInputs): LoadedConfig {
  const file = chooseConfigFile(inputs);
  const state = new LoadState(file);
  const config = new PulseConfig();

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
    applyDocument(config, raw, state);
  }
  applyEnvironment(config, inputs.env, state);
  validate(config, state);
  if (state.errors.length > 0) {
    const where = file ? ` (${file})` : '';
    throw new ConfigError(`Invalid configuration${where}:\n  ${state.errors.join('\n  ')}`);
  }
  config.data_dir = path.resolve(inputs.cwd, config.data_dir);
  if (config.native_cache_dir === '') config.native_cache_dir = path.join(config.data_dir, 'native');
  else config.native_cache_dir = path.resolve(inputs.cwd, config.native_cache_dir);
  return { config, file, warnings: state.warnings };
}

function chooseConfigFile({ configPath, env, cwd, defaultPath = DEFAULT_SERVER_CONFIG_PATH }: ConfigInputs): string | null {
  const explicit = configPath ?? (env.PULSE_CONFIG || undefined);
  if (explicit !== undefined) {
    const resolved = path.resolve(cwd, explicit);
    if (!existsSync(resolved)) {
      const from = configPath !== undefined ? '--config' : 'PULSE_CONFIG';
      throw new ConfigError(`${from} ${explicit}: no such file. Give the path of a TOML file, or leave it out to run on defaults.`);
    }
    return resolved;
  }
  return existsSync(defaultPath) ? defaultPath : null;
}

class LoadState {
  lines = new Map<string, number>();
  /** Key path → where its value came from, when not the file. */
  origins = new Map<string, string>();
  warnings: string[] = [];
  errors: string[] = [];
  constructor(readonly file: string | null) {}

  where(keyPath: string): string {
    const origin = this.origins.get(keyPath);
    if (origin) return origin;
    const line = this.lines.get(keyPath);
    return line !== undefined ? `line ${line}` : 'default';
  }
  warnUnknown(keyPath: string): void {
    this.warnings.push(`Unknown configuration key "${keyPath}" (${this.where(keyPath)}) ignored`);
  }
  error(keyPath: string, value: unknown, allowed: string): void {
    this.errors.push(`${keyPath} = ${shown(keyPath, value)} (${this.where(keyPath)}): ${allowed}`);
  }
}

function shown(keyPath: string, value: unknown): string {
  const last = keyPath
    .split('.')
    .pop()!
    .replace(/\[\d+\]$/, '');
  if (SECRET_KEYS.has(last) && value !== '') return '<hidden>';
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

function isTable(value: unknown): value is Table {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function applyDocument(config: PulseConfig, raw: Table, state: LoadState): void {
  for (const [key, value] of Object.entries(raw)) {
    if (key in SECTION_CLASSES) {
      // Lovebeat's own docs show `[[metrics]]` once; accept a one-element array of a single section too.
      const table = Array.isArray(value) && value.length === 1 && isTable(value[0]) ? value[0] : value;
      if (!isTable(table)) state.error(key, value, `must be a table: [${key}]`);
      else applyKeys(config[key as SectionName], table, key, state);
    } else if (key in LIST_CLASSES) {
      applyList(config, key as keyof typeof LIST_CLASSES, value, state);
    } else if (key === 'alerts') {
      applyAlerts(config, value, state);
    } else if (Object.prototype.hasOwnProperty.call(config, key) && !isTable(value)) {
      (config as unknown as Table)[key] = value;
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

function applyList(config: PulseConfig, key: keyof typeof LIST_CLASSES, value: unknown, state: LoadState): void {
  if (!Array.isArray(value) || !value.every(isTable)) {
    state.error(key, value, `must be repeated tables: [[${key}]]`);
    return;
  }
  const items = value.map((table, index) => {
    const item = new LIST_CLASSES[key]();
    applyKeys(item, table, `${key}[${index}]`, state);
    return item;
  });
  (config[key] as object[]) = items;
}

function applyAlerts(config: PulseConfig, value: unknown, state: LoadState): void {
  if (!isTable(value) || !Object.values(value).every(isTable)) {
    state.error('alerts', value, 'must be named tables: [alerts.NAME]');
    return;
  }
  for (const [name, table] of Object.entries(value)) {
    const channel = new AlertChannelConfig();
    applyKeys(channel, table as Table, `alerts.${name}`, state);
    config.alerts[name] = channel;
  }
}

/** PULSE_<KEY> for top-level keys, PULSE_<SECTION>_<KEY> for section keys, plus PULSE_PORT. */
function environmentKeys(config: PulseConfig): Map<string, { target: Table; key: string; keyPath: string }> {
  const keys = new Map<string, { target: Table; key: string; keyPath: string }>();
  for (const key of Object.keys(config)) {
    const value = (config as unknown as Table)[key];
    if (key in SECTION_CLASSES) {
      for (const sectionKey of Object.keys(value as object)) {
        keys.set(`PULSE_${key}_${sectionKey}`.toUpperCase(), { target: value as Table, key: sectionKey, keyPath: `${key}.${sectionKey}` });
      }
    } else if (!(key in LIST_CLASSES) && key !== 'alerts') {
      keys.set(`PULSE_${key}`.toUpperCase(), { target: config as unknown as Table, key, keyPath: key });
    }
  }
  return keys;
}

function applyEnvironment(config: PulseConfig, env: Record<string, string | undefined>, state: LoadState): void {
  const keys = environmentKeys(config);
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('PULSE_') || text === undefined) continue;
    const entry = keys.get(name);
    if (entry) {
      entry.target[entry.key] = fromEnvironment(text, entry.target[entry.key]);
      state.origins.set(entry.keyPath, `environment ${name}`);
    } else if (!ENV_NOT_KEYS.has(name) && !name.startsWith('PULSE_TEST_')) {
      state.warnings.push(`Unknown environment variable ${name} ignored`);
    }
  }
  const port = env.PULSE_PORT;
  if (port !== undefined && port !== '') {
    const listen = parseHostPort(config.http.listen);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
      state.errors.push(`PULSE_PORT=${JSON.stringify(port)} (environment): must be a port number 0-65535`);
    } else if (listen) {
      const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
      config.http.listen = `${host}:${port}`;
      state.origins.set('http.listen', 'environment PULSE_PORT');
    }
  }
}

/** Environment values are text; read them as the type of the default they replace. */
function fromEnvironment(text: string, current: unknown): unknown {
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

/** Decorators run bottom-up; the schema puts each type check last so it is the one reported. */
const VALIDATION = { stopAtFirstError: true };

function validate(config: PulseConfig, state: LoadState): void {
  report(validateSync(config, VALIDATION), '', state);
  for (const name of Object.keys(SECTION_CLASSES) as SectionName[]) {
    report(validateSync(config[name], VALIDATION), name, state);
  }
  for (const key of Object.keys(LIST_CLASSES) as (keyof typeof LIST_CLASSES)[]) {
    config[key].forEach((item, index) => report(validateSync(item, VALIDATION), `${key}[${index}]`, state));
  }
  for (const [name, channel] of Object.entries(config.alerts)) report(validateSync(channel, VALIDATION), `alerts.${name}`, state);
  const alarmNames = new Set<string>();
  config.alarms.forEach((alarm, index) => {
    const problem = alarmDefinitionProblem(alarm);
    if (problem) state.error(`alarms[${index}].pattern`, alarm.pattern, problem);
    if (alarmNames.has(alarm.name))
      state.error(`alarms[${index}].name`, alarm.name, 'another [[alarms]] has this name; give each a different one');
    alarmNames.add(alarm.name);
  });
  const trustedSourcesSet = state.lines.has('statsd.trusted_sources') || state.origins.has('statsd.trusted_sources');
  if (trustedSourcesSet && !config.heartbeat.require_token) {
    state.warnings.push(
      `statsd.trusted_sources (${state.where('statsd.trusted_sources')}) has no effect without [heartbeat] require_token = true: everyone may send statsd beats`,
    );
  }
  if (config.database.remote_s3_url !== '' && config.database.url !== '') {
    state.error(
      'database.remote_s3_url',
      config.database.remote_s3_url,
      'S3 snapshots copy the SQLite database file; with PostgreSQL ([database] url) back up the database with its own tools and leave remote_s3_url empty',
    );
  }
}

function report(errors: ValidationError[], prefix: string, state: LoadState): void {
  for (const error of errors) {
    const keyPath = prefix ? `${prefix}.${error.property}` : error.property;
    const messages = Object.values(error.constraints ?? {});
    state.error(keyPath, error.value, [...new Set(messages)].join('; '));
  }
}
