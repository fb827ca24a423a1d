import { IsArray, IsBoolean, IsIn, IsInt, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import {
  IsFileMode,
  IsHostPortOrEmpty,
  IsHttpUrlOrEmpty,
  IsIpOrCidrList,
  IsListenAddress,
  IsPostgresUrlOrEmpty,
} from './config-validators.js';

/*
 * The server's configuration: Lovebeat's sections and keys (so a lovebeat.cfg loads as it is) plus Pulse's own.
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
  @Min(1, { message: 'must be at least 1 (seconds)' }) @Max(86400, { message: 'must be at most 86400 (seconds)' }) @IsInt(INTEGER) interval = 60;
  /** PostgreSQL instead of SQLite. */
  @IsPostgresUrlOrEmpty() url = '';
  @Matches(/^$|^s3:\/\/[^/]+\/.+/, { message: 'must be "s3://bucket/path/to/file", or ""' }) @IsString(STRING) remote_s3_url = '';
  @IsString(STRING) remote_s3_region = '';
}

export class ListenerSection {
  @IsListenAddress() listen = ':8127';
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
  @Min(1024, { message: 'must be at least 1024 (bytes)' }) @Max(64 * 1024 * 1024, { message: 'must be at most 67108864 (64 MiB)' }) @IsInt(INTEGER) max_body_bytes = 1024 * 1024;
  /** Failed token checks per address and minute before that address gets 429. */
  @Min(1, { message: 'must be at least 1' }) @Max(100000, { message: 'must be at most 100000' }) @IsInt(INTEGER) auth_failures_per_minute = 20;
}

export class MailSection {
  @IsHostPortOrEmpty() server = 'localhost:25';
  @IsString(STRING) from = 'pulse@localhost';
}

export class MailgunSection {
  @IsString(STRING) domain = '';
  @IsString(STRING) from = '';
  @IsString(STRING) api_key = '';
}

export class SlackSection {
  @IsHttpUrlOrEmpty() webhook_url = '';
}

export class MetricsSection {
  @IsHostPortOrEmpty() server = '';
  @Matches(/^[A-Za-z0-9_.-]*$/, { message: 'may only contain letters, digits, ".", "_" and "-"' }) @IsString(STRING) prefix = 'pulse';
}

export class EventlogSection {
  @IsString(STRING) path = '';
  @IsFileMode() mode: number | string = 644;
}

export class HeartbeatSection {
  /** Beats need an `ingest` token. */
  @IsBoolean(BOOLEAN) require_token = false;
}

export class ResultsSection {
  /** Days raw check results are kept. */
  @Min(1, { message: 'must be at least 1 (days)' }) @Max(3650, { message: 'must be at most 3650 (days)' }) @IsInt(INTEGER) retention_days = 30;
  /** Days per-minute uptime/latency buckets are kept (they cover the 24 h uptime and short charts). */
  @Min(2, { message: 'must be at least 2 (days), so the 24 h uptime has its data' }) @Max(90, { message: 'must be at most 90 (days)' }) @IsInt(INTEGER) minute_buckets_days = 7;
  /** Days per-hour buckets are kept (7 d / 30 d uptime, long charts). */
  @Min(31, { message: 'must be at least 31 (days), so the 30 d uptime has its data' }) @Max(3650, { message: 'must be at most 3650 (days)' }) @IsInt(INTEGER) hour_buckets_days = 365;
}

export class MonitorsSection {
  /** Checks the server runs at the same time; due checks beyond this wait for a free slot. */
  @Min(1, { message: 'must be at least 1' }) @Max(10000, { message: 'must be at most 10000' }) @IsInt(INTEGER) max_concurrent_checks = 500;
}

export class LogSection {
  /** Where --syslog sends log lines (the local syslog daemon's socket). */
  @MinLength(1, { message: 'must be the path of a Unix socket' }) @IsString(STRING) syslog_socket = '/dev/log';
}

export class AlarmConfig {
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) name = '';
  @IsString(STRING) pattern = '';
  @IsArray({ message: 'must be a list of glob patterns' }) @IsString(STRINGS) includes: string[] = [];
  @IsArray({ message: 'must be a list of glob patterns' }) @IsString(STRINGS) excludes: string[] = [];
  @IsArray({ message: 'must be a list of alert names' }) @IsString(STRINGS) alerts: string[] = [];
}

export class AlertChannelConfig {
  @IsString(STRING) mail = '';
  @IsHttpUrlOrEmpty() webhook = '';
  @IsString(STRING) slack_channel = '';
  @IsString(STRING) script = '';
  @IsHostPortOrEmpty() snmp_trap = '';
  @IsIn(['2c', '3'], { message: 'must be "2c" or "3"' }) snmp_version = '2c';
  @IsString(STRING) snmp_community = 'public';
  @IsString(STRING) snmp_user = '';
  @IsIn(['', 'md5', 'sha', 'sha224', 'sha256', 'sha384', 'sha512'], { message: 'must be one of md5, sha, sha224, sha256, sha384, sha512' }) snmp_auth_protocol = '';
  @IsString(STRING) snmp_auth_key = '';
  @IsIn(['', 'des', 'aes', 'aes256b', 'aes256r'], { message: 'must be one of des, aes, aes256b, aes256r' }) snmp_priv_protocol = '';
  @IsString(STRING) snmp_priv_key = '';
}

export class NotifyConfig {
  @IsHttpUrlOrEmpty() lovebeat = '';
}

export class PulseConfig {
  /** Full URL users reach Pulse at; used for links in alerts and as the console's base path. */
  @IsHttpUrlOrEmpty() public_url = '';
  @MinLength(1, { message: 'must not be empty' }) @IsString(STRING) data_dir = './data';
  /** Where native addons are unpacked when running as a single executable ("" = <data_dir>/native). */
  @IsString(STRING) native_cache_dir = '';

  database = new DatabaseSection();
  udp = new ListenerSection();
  tcp = new ListenerSection();
  http = new HttpSection();
  mail = new MailSection();
  mailgun = new MailgunSection();
  slack = new SlackSection();
  metrics = new MetricsSection();
  eventlog = new EventlogSection();
  heartbeat = new HeartbeatSection();
  results = new ResultsSection();
  monitors = new MonitorsSection();
  log = new LogSection();

  alarms: AlarmConfig[] = [];
  alerts: Record<string, AlertChannelConfig> = {};
  notify: NotifyConfig[] = [];
}

/** Sections that are one table each: `[http]`. */
export const SECTION_CLASSES = {
  database: DatabaseSection,
  udp: ListenerSection,
  tcp: ListenerSection,
  http: HttpSection,
  mail: MailSection,
  mailgun: MailgunSection,
  slack: SlackSection,
  metrics: MetricsSection,
  eventlog: EventlogSection,
  heartbeat: HeartbeatSection,
  results: ResultsSection,
  monitors: MonitorsSection,
  log: LogSection,
} as const;

export type SectionName = keyof typeof SECTION_CLASSES;

/** Sections that repeat: `[[alarms]]`, `[[notify]]`. */
export const LIST_CLASSES = { alarms: AlarmConfig, notify: NotifyConfig } as const;

/** Values never shown in errors or logs (matched on the last part of the key path). */
export const SECRET_KEYS = new Set(['api_key', 'webhook_url', 'snmp_auth_key', 'snmp_priv_key', 'snmp_community', 'url']);
