import { IsArray, IsBoolean, IsInt, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsServerUrl } from './config-validators.js';
import { CheckPluginsSection, LogSection, PluginsSection } from './config.schema.js';

/*
 * The configuration of the two remote roles (SPEC §4, §5): `/etc/lillydoo-pulse/poller.conf` and
 * `agent.conf`, written by the installers. Both report to the server over the link (server, token, TLS,
 * disk outbox); the poller runs checks, the agent collectors. Same loader, same rules as the server's file.
 */

const INTEGER = { message: 'must be a whole number' };
const BOOLEAN = { message: 'must be true or false' };
const STRING = { message: 'must be a string' };

/**
 * What both remote roles need to reach the server and to keep results while it is away. Each role adds
 * its `token` (of its own type) and its `data_dir` (where the outbox lives).
 */
export abstract class LinkConfig {
  /** The server's URL. */
  @IsServerUrl() server = '';
  /** CA certificate(s) to verify the server with, instead of the system's ("" = system CAs). */
  @IsString(STRING) ca_file = '';
  /** Skip verifying the server's certificate: allowed, warned about at every start. */
  @IsBoolean(BOOLEAN) insecure_skip_verify = false;
  @Min(1, { message: 'must be at least 1 (MiB)' })
  @Max(100_000, { message: 'must be at most 100000 (MiB)' })
  @IsInt(INTEGER)
  outbox_max_mb = 64;
  @Min(1, { message: 'must be at least 1 (hours)' })
  @Max(8760, { message: 'must be at most 8760 (hours, a year)' })
  @IsInt(INTEGER)
  outbox_max_age_hours = 24;

  log = new LogSection();
}

/** lillydoo-pulse-poller: runs the checks assigned to it from its location. */
export class PollerConfig extends LinkConfig {
  @Matches(/^sw_poller_[0-9a-f]{64}$/, {
    message: 'must be a poller token: "sw_poller_" and 64 hex digits (create one of type "poller" on the server)',
  })
  @IsString(STRING)
  token = '';
  /** Shown in the console ("" = this host's name). */
  @MaxLength(200, { message: 'must be at most 200 characters' }) @IsString(STRING) name = '';
  /** Where it is, for people: "Frankfurt DC2". */
  @MaxLength(200, { message: 'must be at most 200 characters' }) @IsString(STRING) location = '';
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) data_dir = '/var/lib/lillydoo-pulse-poller';
  /** Checks running at once; due checks beyond it wait for a free slot. */
  @Min(1, { message: 'must be at least 1' }) @Max(10000, { message: 'must be at most 10000' }) @IsInt(INTEGER) max_concurrent_checks = 500;
  /** Drop-in plugins, and the directories the nagios check runs plugins from. */
  plugins = new CheckPluginsSection();
}

const PLUGIN_ID = /^[a-z][a-z0-9-]{0,31}$/;

/** lillydoo-pulse-agent: reports this host's metrics. */
export class AgentConfig extends LinkConfig {
  @Matches(/^sw_agent_[0-9a-f]{64}$/, {
    message: 'must be an agent token: "sw_agent_" and 64 hex digits (create one of type "agent" on the server)',
  })
  @IsString(STRING)
  token = '';
  /** Seconds between reports. */
  @Min(5, { message: 'must be at least 5 (seconds)' }) @Max(3600, { message: 'must be at most 3600 (seconds)' }) @IsInt(INTEGER) interval =
    30;
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) data_dir = '/var/lib/lillydoo-pulse-agent';
  /** Collector plugin ids to run; empty = every installed collector. */
  @Matches(PLUGIN_ID, { each: true, message: 'must be a list of collector names, e.g. ["cpu", "memory", "disk"]; [] runs them all' })
  @IsString({ each: true, message: 'must be a list of collector names, e.g. ["cpu", "memory", "disk"]; [] runs them all' })
  @IsArray({ message: 'must be a list of collector names, e.g. ["cpu", "memory", "disk"]; [] runs them all' })
  collectors: string[] = [];
  /** Mount points left out of disk metrics (globs: "/snap/*"); pseudo file systems are left out anyway. */
  @IsString({ each: true, message: 'must be a list of mount point globs, e.g. ["/snap/*", "/mnt/backup"]' })
  @IsArray({ message: 'must be a list of mount point globs, e.g. ["/snap/*", "/mnt/backup"]' })
  disks_exclude: string[] = [];
  /** Network interfaces left out of network metrics (globs: "veth*"); the loopback interface is left out anyway. */
  @IsString({ each: true, message: 'must be a list of interface name globs, e.g. ["veth*", "docker0"]' })
  @IsArray({ message: 'must be a list of interface name globs, e.g. ["veth*", "docker0"]' })
  net_exclude: string[] = [];
  /** Drop-in plugins (collectors). */
  plugins = new PluginsSection();
}
