import type { PluginKind } from '../plugin-host/contracts.js';

/*
 * The three executables of one code base, in one table: the plugin loader, the command line and
 * scripts/build-binaries.ts all read it, so a role's name, entry and plugin kinds are written once.
 */

export type Role = 'server' | 'poller' | 'agent';

export interface RoleDefinition {
  /** The executable's file name (and the name it uses in messages). */
  executable: string;
  /** Its entry file, relative to the compiled tree (dist/). */
  entry: string;
  /** The plugin kinds it loads: the agent never loads an alerter's dependencies. */
  pluginKinds: readonly PluginKind[];
  /** Only the server has a database (the single executable embeds the SQLite addon for it alone). */
  database: boolean;
  /** The configuration file read when no --config is given (the server runs on defaults without it). */
  defaultConfigPath: string;
  /** For --help: what it does. */
  summary: string;
}

export const ROLES: Readonly<Record<Role, RoleDefinition>> = {
  server: {
    executable: 'lillydoo-pulse',
    entry: 'app/entry/server.js',
    pluginKinds: ['check', 'alerter'],
    database: true,
    defaultConfigPath: '/etc/lillydoo-pulse/server.toml',
    summary: 'server: web console and JSON API over HTTP (default :5000),\nstatsd heartbeat listener over UDP and TCP (default :8127)',
  },
  poller: {
    executable: 'lillydoo-pulse-poller',
    entry: 'app/entry/poller.js',
    pluginKinds: ['check'],
    database: false,
    defaultConfigPath: '/etc/lillydoo-pulse/poller.conf',
    summary: 'network poller: runs assigned checks from its location',
  },
  agent: {
    executable: 'lillydoo-pulse-agent',
    entry: 'app/entry/agent.js',
    pluginKinds: ['collector'],
    database: false,
    defaultConfigPath: '/etc/lillydoo-pulse/agent.conf',
    summary: 'host agent: reports CPU, memory, disk, load and network',
  },
};

export const ROLE_NAMES = Object.keys(ROLES) as Role[];

/** Where the plugins of each kind live: `plugins/checks/<id>`, `plugins/alerters/<id>`, `plugins/collectors/<id>`. */
export const KIND_FOLDERS: Readonly<Record<PluginKind, string>> = { check: 'checks', alerter: 'alerters', collector: 'collectors' };

/** Which roles load a plugin of this kind unless its meta says otherwise: checks run on the server and pollers. */
export function defaultPluginRoles(kind: PluginKind): Role[] {
  return ROLE_NAMES.filter((role) => ROLES[role].pluginKinds.includes(kind));
}
