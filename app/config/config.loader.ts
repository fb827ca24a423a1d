import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alarmDefinitionProblem } from '../alarms/alarm-pattern.js';
import { ROLES } from '../runtime/roles.js';
import { ConfigError, loadConfig, type ConfigInputs, type ConfigReport, type ConfigSchema, type LoadedConfig } from './config-core.js';
import { LIST_CLASSES, SECRET_KEYS, ServerConfig } from './config.schema.js';
import { parseHostPort } from './config-validators.js';
import { AgentConfig, PollerConfig, type LinkConfig } from './remote-config.schema.js';

export { ConfigError, ConfigRest, type ConfigInputs, type LoadedConfig } from './config-core.js';

/** lillydoo-pulse: Lovebeat's file as it is plus Pulse's own keys; no file needed. */
export const SERVER_CONFIG_SCHEMA: ConfigSchema<ServerConfig> = {
  create: () => new ServerConfig(),
  defaultPath: ROLES.server.defaultConfigPath,
  lists: LIST_CLASSES,
  rawNamedTables: ['alerts'],
  pluginSections: true,
  secretKeys: SECRET_KEYS,
  environmentNames: new Set(['PULSE_PORT']),
  applyEnvironment: (config, env, report) => applyPort(config, env.PULSE_PORT, report),
  check: (config, report) => {
    const alarmNames = new Set<string>();
    config.alarms.forEach((alarm, index) => {
      const problem = alarmDefinitionProblem(alarm);
      if (problem) report.error(`alarms[${index}].pattern`, alarm.pattern, problem);
      if (alarmNames.has(alarm.name))
        report.error(`alarms[${index}].name`, alarm.name, 'another [[alarms]] has this name; give each a different one');
      alarmNames.add(alarm.name);
    });
    if (report.where('statsd.trusted_sources') !== 'default' && !config.heartbeat.require_token) {
      report.warn(
        `statsd.trusted_sources (${report.where('statsd.trusted_sources')}) has no effect without [heartbeat] require_token = true: everyone may send statsd beats`,
      );
    }
    if (config.database.remote_s3_url !== '' && config.database.url !== '') {
      report.error(
        'database.remote_s3_url',
        config.database.remote_s3_url,
        'S3 snapshots copy the SQLite database file; with PostgreSQL ([database] url) back up the database with its own tools and leave remote_s3_url empty',
      );
    }
  },
  finish: (config, { cwd }) => {
    config.data_dir = path.resolve(cwd, config.data_dir);
    if (config.native_cache_dir === '') config.native_cache_dir = path.join(config.data_dir, 'native');
    else config.native_cache_dir = path.resolve(cwd, config.native_cache_dir);
    config.plugins.dir = path.resolve(cwd, config.plugins.dir);
  },
};

/** lillydoo-pulse-poller: /etc/lillydoo-pulse/poller.conf (SPEC §4). */
export const POLLER_CONFIG_SCHEMA: ConfigSchema<PollerConfig> = {
  create: () => new PollerConfig(),
  defaultPath: ROLES.poller.defaultConfigPath,
  needsFile: true,
  secretKeys: new Set(['token']),
  check: checkLink,
  finish: (config, inputs) => {
    finishLink(config, inputs);
    if (config.name === '') config.name = os.hostname();
  },
};

/** lillydoo-pulse-agent: /etc/lillydoo-pulse/agent.conf (SPEC §5). */
export const AGENT_CONFIG_SCHEMA: ConfigSchema<AgentConfig> = {
  create: () => new AgentConfig(),
  defaultPath: ROLES.agent.defaultConfigPath,
  needsFile: true,
  // A collector's options may sit in a table named after it (`[processes]`): the collectors claim theirs.
  pluginSections: true,
  secretKeys: new Set(['token']),
  check: checkLink,
  finish: finishLink,
};

/**
 * The first half of reading the server's file: Pulse's own keys. Invalid values wait in `rest` with
 * what the plugins own (`[mail]`, the keys of `[alerts.NAME]`); a running server reads those with its
 * plugins' declarations and settles (roles/server-settings.ts: loadServerSettings), so every problem is
 * refused at once.
 */
export function readServerConfig(inputs: ConfigInputs): LoadedConfig<ServerConfig> {
  return loadConfig(SERVER_CONFIG_SCHEMA, inputs);
}

/**
 * Pulse's own keys only, for what runs without plugins (`admin-token --reset`, tests of one feature):
 * refused when invalid; the plugin-owned tables are left unread, neither checked nor warned about.
 */
export function loadServerConfig(inputs: ConfigInputs): LoadedConfig<ServerConfig> {
  const loaded = readServerConfig(inputs);
  loaded.rest.settle({ unclaimed: 'ignore' });
  return loaded;
}

export function loadPollerConfig(inputs: ConfigInputs): LoadedConfig<PollerConfig> {
  return loadConfig(POLLER_CONFIG_SCHEMA, inputs);
}

/**
 * The first half of reading agent.conf: the agent's own keys, refused at once when invalid. The tables
 * left (`[processes]`) wait in `rest` for the collectors to claim; `rest.settle()` warns about the others.
 */
export function readAgentConfig(inputs: ConfigInputs): LoadedConfig<AgentConfig> {
  const loaded = loadConfig(AGENT_CONFIG_SCHEMA, inputs);
  loaded.rest.throwIfInvalid();
  return loaded;
}

/** agent.conf read without collectors: every table the agent does not know is warned about. */
export function loadAgentConfig(inputs: ConfigInputs): LoadedConfig<AgentConfig> {
  const loaded = readAgentConfig(inputs);
  return { ...loaded, warnings: [...loaded.warnings, ...loaded.rest.settle()] };
}

/** PULSE_PORT: the port of [http] listen, keeping its host. */
function applyPort(config: ServerConfig, port: string | undefined, report: ConfigReport): void {
  if (port === undefined || port === '') return;
  const listen = parseHostPort(config.http.listen);
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
    report.refuse(`PULSE_PORT=${JSON.stringify(port)} (environment): must be a port number 0-65535`);
  } else if (listen) {
    const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
    config.http.listen = `${host}:${port}`;
    report.setOrigin('http.listen', 'environment PULSE_PORT');
  }
}

/** The CA file must be there; skipping verification is allowed but said at every start (SPEC §4). */
function checkLink(config: LinkConfig, report: ConfigReport, { cwd }: ConfigInputs): void {
  if (config.ca_file !== '' && typeof config.ca_file === 'string') {
    const file = path.resolve(cwd, config.ca_file);
    let isFile = false;
    try {
      isFile = statSync(file).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile)
      report.error(
        'ca_file',
        config.ca_file,
        `no such file; give the PEM file of the CA that signed the server's certificate, or "" for the system's CAs`,
      );
  }
  if (config.insecure_skip_verify === true)
    report.warn(
      `insecure_skip_verify = true (${report.where('insecure_skip_verify')}): the server's TLS certificate is not verified, ` +
        'so anyone on the way can read the token and the results; set ca_file instead',
    );
}

function finishLink(config: LinkConfig & { data_dir: string; plugins: { dir: string } }, { cwd }: ConfigInputs): void {
  config.data_dir = path.resolve(cwd, config.data_dir);
  if (config.ca_file !== '') config.ca_file = path.resolve(cwd, config.ca_file);
  config.plugins.dir = path.resolve(cwd, config.plugins.dir);
}
