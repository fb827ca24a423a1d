import { ArrayMinSize, IsArray, IsBoolean, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import {
  IsFileMode,
  IsHostPortOrEmpty,
  IsHttpUrlOrEmpty,
  IsIpOrCidrList,
  IsListenAddress,
  IsPostgresUrlOrEmpty,
} from './config-validators.js';

/*
 * The server's configuration (lillydoo-pulse): Lovebeat's sections and keys (so a lovebeat.cfg loads as it is) plus Pulse's own.
 * Lovebeat's `[mail]`, `[mailgun]` and `[slack]` are not here: the alerters that use them own them (see AlerterMeta.file).
 * Every field has its default as initializer; the loader copies file and environment values over them and
 * validates the result. Keys listed in SECRET_KEYS are never echoed in errors or logs.
 */

const INTEGER = { message: 'must be a whole number' };
const BOOLEAN = { message: 'must be true or false' };
const STRING = { message: 'must be a string' };
const STRINGS = { each: true, message: 'must be a list of strings' };

export class DatabaseSection {
  /** SQLite file, relative to the data directory (or absolute). */
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) filename = 'pulse.db';
  /** Seconds between database snapshots (S3 upload). */
  @Min(1, { message: 'must be at least 1 (seconds)' })
  @Max(86400, { message: 'must be at most 86400 (seconds)' })
  @IsInt(INTEGER)
  interval = 60;
  /** PostgreSQL instead of SQLite. */
  @IsPostgresUrlOrEmpty() url = '';
  @Matches(/^$|^s3:\/\/[^/]+\/.+/, { message: 'must be "s3://bucket/path/to/file", or ""' }) @IsString(STRING) remote_s3_url = '';
  @IsString(STRING) remote_s3_region = '';
  /** An S3-compatible store instead of AWS ("" = AWS for the region). */
  @IsHttpUrlOrEmpty() remote_s3_endpoint = '';
  /** Path-style URLs (http://host/bucket/key), which most S3-compatible stores need. */
  @IsBoolean(BOOLEAN) remote_s3_force_path_style = false;
  /** Credentials; "" = the AWS SDK's usual chain (environment, instance role). */
  @IsString(STRING) remote_s3_access_key_id = '';
  @IsString(STRING) remote_s3_secret_access_key = '';
}

export class UdpSection {
  @IsListenAddress() listen = ':8127';
  /** Socket receive buffer for bursts; the kernel caps it at net.core.rmem_max. */
  @Min(65536, { message: 'must be at least 65536 (bytes)' })
  @Max(1024 * 1024 * 1024, { message: 'must be at most 1073741824 (1 GiB)' })
  @IsInt(INTEGER)
  receive_buffer_bytes = 4 * 1024 * 1024;
  /**
   * Threads that receive and parse statsd datagrams, so the socket is drained whatever the main thread is
   * doing; several share the port (SO_REUSEPORT; one where Node is older than 22.12). 0: the main thread.
   * Four by default: on a 2-core host they stayed loss-free at 150,000 datagrams/s where two did not
   * (docs/operations.md), and an idle worker costs only its memory.
   */
  @Min(0, { message: 'must be at least 0' }) @Max(16, { message: 'must be at most 16' }) @IsInt(INTEGER) workers = 4;
}

export class TcpSection {
  @IsListenAddress() listen = ':8127';
  /** Open statsd connections at once; more are closed at once. */
  @Min(1, { message: 'must be at least 1' }) @Max(100000, { message: 'must be at most 100000' }) @IsInt(INTEGER) max_connections = 1000;
  /** Open statsd connections from one address (an IPv6 /64 counts as one); more from it are closed at once. */
  @Min(1, { message: 'must be at least 1' })
  @Max(100000, { message: 'must be at most 100000' })
  @IsInt(INTEGER)
  max_connections_per_source = 100;
  /** Seconds a connection may stay silent before it is closed. */
  @Min(1, { message: 'must be at least 1 (seconds)' })
  @Max(86400, { message: 'must be at most 86400 (seconds)' })
  @IsInt(INTEGER)
  idle_timeout = 60;
  /** Longest line accepted; a longer one is skipped up to its newline and counted as invalid. */
  @Min(512, { message: 'must be at least 512 (bytes)' })
  @Max(1024 * 1024, { message: 'must be at most 1048576 (bytes)' })
  @IsInt(INTEGER)
  max_line_bytes = 4096;
  /** Read the connections in a worker thread; false reads them on the main thread. */
  @IsBoolean(BOOLEAN) worker = true;
}

/** Pulse's own section: who may send statsd beats. */
export class StatsdSection {
  /**
   * With [heartbeat] require_token = true, statsd (which carries no token) is taken only from these
   * addresses or CIDR ranges; without require_token everyone may send, as in Lovebeat.
   */
  @IsIpOrCidrList() trusted_sources: string[] = ['127.0.0.0/8', '::1'];
}

export class HttpSection {
  @IsListenAddress() listen = ':5000';
  /** /api/status and /api/alarms/<name>/status without a token. */
  @IsBoolean(BOOLEAN) public_status = true;
  /** /metrics without a token. */
  @IsBoolean(BOOLEAN) public_metrics = false;
  /** Reverse proxies whose X-Forwarded-* headers are believed. */
  @IsIpOrCidrList() trusted_proxies: string[] = [];
  /** Largest request body accepted, in bytes. */
  @Min(1024, { message: 'must be at least 1024 (bytes)' })
  @Max(64 * 1024 * 1024, { message: 'must be at most 67108864 (64 MiB)' })
  @IsInt(INTEGER)
  max_body_bytes = 1024 * 1024;
  /** Failed token checks per address and minute before that address gets 429. */
  @Min(1, { message: 'must be at least 1' }) @Max(100000, { message: 'must be at most 100000' }) @IsInt(INTEGER) auth_failures_per_minute =
    20;
}

export class MetricsSection {
  @IsHostPortOrEmpty() server = '';
  @Matches(/^[A-Za-z0-9_.-]*$/, { message: 'may only contain letters, digits, ".", "_" and "-"' }) @IsString(STRING) prefix = 'pulse';
  /** Seconds between reports of the state gauges and counters. */
  @Min(1, { message: 'must be at least 1 (seconds)' }) @Max(3600, { message: 'must be at most 3600 (seconds)' }) @IsInt(INTEGER) interval =
    10;
}

export class EventlogSection {
  @IsString(STRING) path = '';
  @IsFileMode() mode: number | string = 644;
}

export class HeartbeatSection {
  /** Beats need an `ingest` token. */
  @IsBoolean(BOOLEAN) require_token = false;
  /** Services created automatically by beats; beats for new names beyond this are refused and counted. */
  @Min(1, { message: 'must be at least 1' }) @Max(10_000_000, { message: 'must be at most 10000000' }) @IsInt(INTEGER) max_services =
    100_000;
  /**
   * Services created by one beat, never configured (no timeout, min_interval, mute, job run, or exact
   * name in an alarm) and silent this many days are forgotten; 0 keeps them for ever.
   */
  @Min(0, { message: 'must be 0 (never forget) or more (days)' })
  @Max(3650, { message: 'must be at most 3650 (days)' })
  @IsInt(INTEGER)
  forget_unseen_days = 7;
}

export class ResultsSection {
  /** Days raw check results are kept. */
  @Min(1, { message: 'must be at least 1 (days)' }) @Max(3650, { message: 'must be at most 3650 (days)' }) @IsInt(INTEGER) retention_days =
    30;
  /** Days per-minute uptime/latency buckets are kept (they cover the 24 h uptime and short charts). */
  @Min(2, { message: 'must be at least 2 (days), so the 24 h uptime has its data' })
  @Max(90, { message: 'must be at most 90 (days)' })
  @IsInt(INTEGER)
  minute_buckets_days = 7;
  /** Days per-hour buckets are kept (7 d / 30 d uptime, long charts). */
  @Min(31, { message: 'must be at least 31 (days), so the 30 d uptime has its data' })
  @Max(3650, { message: 'must be at most 3650 (days)' })
  @IsInt(INTEGER)
  hour_buckets_days = 365;
}

/** `[agents]`: how long agent reports and their history are kept (SPEC §5). */
export class AgentsSection {
  /** Days raw agent reports are kept (they also make a report replayed from an agent's outbox count once). */
  @Min(2, { message: 'must be at least 2 (days), longer than an agent outbox keeps reports' })
  @Max(3650, { message: 'must be at most 3650 (days)' })
  @IsInt(INTEGER)
  retention_days = 7;
  /** Days per-minute metric buckets are kept. */
  @Min(1, { message: 'must be at least 1 (days)' }) @Max(90, { message: 'must be at most 90 (days)' }) @IsInt(INTEGER) minute_buckets_days = 7;
  /** Days per-hour metric buckets are kept. */
  @Min(1, { message: 'must be at least 1 (days)' })
  @Max(3650, { message: 'must be at most 3650 (days)' })
  @IsInt(INTEGER)
  hour_buckets_days = 365;
}

export class MonitorsSection {
  /** Checks the server runs at the same time; due checks beyond this wait for a free slot. */
  @Min(1, { message: 'must be at least 1' }) @Max(10000, { message: 'must be at most 10000' }) @IsInt(INTEGER) max_concurrent_checks = 500;
}

/** `[plugins]` of every role (SPEC §11): where drop-in plugin folders are installed. */
export class PluginsSection {
  /** `<dir>/checks/<id>/`, `<dir>/alerters/<id>/`, `<dir>/collectors/<id>/`; a missing directory means none. */
  @MinLength(1, { message: 'must be the directory of drop-in plugin folders' }) @IsString(STRING) dir = '/etc/lillydoo-pulse/plugins';
}

const NAGIOS_DIRS = 'must be a list of absolute directories, e.g. ["/usr/lib/nagios/plugins", "/usr/local/lib/nagios/plugins"]';

/** `[plugins]` of the roles that run checks (server, poller): also where the nagios check may run plugins from. */
export class CheckPluginsSection extends PluginsSection {
  @Matches(/^\//, { each: true, message: NAGIOS_DIRS })
  @IsString({ each: true, message: NAGIOS_DIRS })
  @ArrayMinSize(1, { message: NAGIOS_DIRS })
  @IsArray({ message: NAGIOS_DIRS })
  nagios_dirs: string[] = ['/usr/lib/nagios/plugins'];
}

/** `[cluster]`: several servers on one PostgreSQL (SPEC §12). SQLite serves one server. */
export class ClusterSection {
  /** How this server is named in GET /api/cluster and the console ("" = the host name). */
  @IsString(STRING) name = '';
  /**
   * How long a server's claim on its share of the work lasts without renewal: a server that vanishes
   * without closing its connection is taken over after this; one that stops or is killed, at once.
   */
  @Min(3, { message: 'must be at least 3 (seconds)' })
  @Max(120, { message: 'must be at most 120 (seconds)' })
  @IsInt(INTEGER)
  lease_seconds = 10;
}

export class LogSection {
  /** Where --syslog sends log lines (the local syslog daemon's socket). */
  @MinLength(1, { message: 'must be the path of a Unix socket' }) @IsString(STRING) syslog_socket = '/dev/log';
}

/** `[downloads]`: the agent and poller executables the installers fetch from `/downloads/` (SPEC §9). */
export class DownloadsSection {
  /**
   * Directory holding `<executable>-linux-<x64|arm64>` (and optionally `.sha256` files beside them).
   * "" = `dist/bin` of the checkout when run from source, `/usr/lib/lillydoo-pulse/downloads` (where the
   * lillydoo-pulse-downloads package puts them) when run as the single executable.
   */
  @Matches(/^(\/.*)?$/, { message: 'must be an absolute directory, or "" for the default' }) @IsString(STRING) dir = '';
}

/** How alerts are delivered (Pulse's own section; `[alerts.NAME]` are the channels). */
export class AlertingSection {
  /** Temporary failures are retried with backoff for this long, then the delivery is marked failed. */
  @Min(1, { message: 'must be at least 1 (minutes)' })
  @Max(1440, { message: 'must be at most 1440 (minutes)' })
  @IsInt(INTEGER)
  retry_minutes = 10;
  /** One send may take this long before it counts as a (temporary) timeout. */
  @Min(1, { message: 'must be at least 1 (seconds)' })
  @Max(600, { message: 'must be at most 600 (seconds)' })
  @IsInt(INTEGER)
  delivery_timeout_seconds = 30;
  /** More alerts than this for one channel within storm_window_seconds are summed up in a digest. */
  @Min(1, { message: 'must be at least 1' }) @Max(100000, { message: 'must be at most 100000' }) @IsInt(INTEGER) storm_threshold = 10;
  @Min(1, { message: 'must be at least 1 (seconds)' })
  @Max(3600, { message: 'must be at most 3600 (seconds)' })
  @IsInt(INTEGER)
  storm_window_seconds = 30;
  /** Nagios-style percent state change over the last 21 results: flapping above high, settled below low. */
  @Min(1, { message: 'must be 1-100 (percent)' }) @Max(100, { message: 'must be 1-100 (percent)' }) @IsInt(INTEGER) flapping_high = 50;
  @Min(0, { message: 'must be 0-100 (percent)' }) @Max(100, { message: 'must be 0-100 (percent)' }) @IsInt(INTEGER) flapping_low = 25;
  /** Delivered and failed alerts stay in the delivery log this long. */
  @Min(1, { message: 'must be at least 1 (days)' })
  @Max(3650, { message: 'must be at most 3650 (days)' })
  @IsInt(INTEGER)
  log_retention_days = 30;
  /** Alert targets in these ranges are reached even when built-in refusals (link-local, metadata) or deny_networks cover them. */
  @IsIpOrCidrList({ message: 'must be a list of IP addresses or CIDR ranges, e.g. ["169.254.10.0/24"]' }) allow_networks: string[] = [];
  /** Alert targets in these ranges are refused, in addition to link-local and cloud-metadata addresses. */
  @IsIpOrCidrList({ message: 'must be a list of IP addresses or CIDR ranges, e.g. ["10.0.0.0/8", "fd00::/8"]' }) deny_networks: string[] =
    [];
  /** Script channels made through the API may only run executables under this directory (Zabbix's AlertScriptsPath). */
  @Matches(/^\//, { message: 'must be an absolute directory path, e.g. "/etc/lillydoo-pulse/alert-scripts"' })
  @IsString(STRING)
  script_dir = '/etc/lillydoo-pulse/alert-scripts';
}

export class AlarmConfig {
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) name = '';
  @IsString(STRING) pattern = '';
  @IsArray({ message: 'must be a list of glob patterns' }) @IsString(STRINGS) includes: string[] = [];
  @IsArray({ message: 'must be a list of glob patterns' }) @IsString(STRINGS) excludes: string[] = [];
  @IsArray({ message: 'must be a list of alert names' }) @IsString(STRINGS) alerts: string[] = [];
}

/**
 * One `[alerts.NAME]` table as written: Lovebeat's keys (`mail`, `webhook`, `slack_channel`, `script`),
 * Pulse's `snmp_*`, `type` with `options`, `default`, and `[alerts.NAME.<alerter>]` sub-tables. The alerters declare which
 * keys are theirs (see AlerterMeta.file); the alerts feature reads and checks them once plugins are loaded.
 */
export type AlertChannelTable = Record<string, unknown>;

export class NotifyConfig {
  @IsHttpUrlOrEmpty() lovebeat = '';
  /** Seconds between beats sent to that peer. */
  @Min(1, { message: 'must be at least 1 (seconds)' })
  @Max(86400, { message: 'must be at most 86400 (seconds)' })
  @IsInt(INTEGER)
  interval = 60;
  /** An `ingest` token, when the peer is a Pulse with `[heartbeat] require_token = true`. */
  @IsString(STRING) token = '';
}

export class ServerConfig {
  /** Full URL users reach Pulse at; used for links in alerts and as the console's base path. */
  @IsHttpUrlOrEmpty() public_url = '';
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) data_dir = './data';
  /** Where native addons are unpacked when running as a single executable ("" = <data_dir>/native). */
  @IsString(STRING) native_cache_dir = '';

  database = new DatabaseSection();
  udp = new UdpSection();
  tcp = new TcpSection();
  statsd = new StatsdSection();
  http = new HttpSection();
  metrics = new MetricsSection();
  eventlog = new EventlogSection();
  heartbeat = new HeartbeatSection();
  results = new ResultsSection();
  monitors = new MonitorsSection();
  agents = new AgentsSection();
  log = new LogSection();
  alerting = new AlertingSection();
  plugins = new CheckPluginsSection();
  downloads = new DownloadsSection();
  cluster = new ClusterSection();

  alarms: AlarmConfig[] = [];
  alerts: Record<string, AlertChannelTable> = {};
  notify: NotifyConfig[] = [];
}

/** Sections that repeat: `[[alarms]]`, `[[notify]]`. */
export const LIST_CLASSES = { alarms: AlarmConfig, notify: NotifyConfig } as const;

/**
 * Values never shown in errors or logs (matched on the last part of the key path). Keys of plugin-owned
 * sections and of `[alerts.NAME]` are hidden by the owning plugin's `secrets`.
 */
export const SECRET_KEYS = new Set(['url', 'remote_s3_secret_access_key', 'token', 'password']);
