import { CheckResultRow } from '../monitors/check-result.entity.js';
import { MonitorBucket } from '../monitors/monitor-bucket.entity.js';
import { MonitorIncident } from '../monitors/monitor-incident.entity.js';
import { MonitorSource } from '../monitors/monitor-source.entity.js';
import { Monitor } from '../monitors/monitor.entity.js';
import { ApiToken } from '../tokens/api-token.entity.js';
import { ServerMeta } from './server-meta.entity.js';

/**
 * Every table of the server. Kept as one list because the migrations describe exactly this schema and a
 * medium test checks the two agree on SQLite and PostgreSQL. Plugins never have tables.
 */
export const ENTITIES = [ServerMeta, ApiToken, Monitor, MonitorSource, CheckResultRow, MonitorBucket, MonitorIncident];
