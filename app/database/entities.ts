import { AgentBucket } from '../agents/agent-bucket.entity.js';
import { AgentSample } from '../agents/agent-sample.entity.js';
import { AgentRow } from '../agents/agent.entity.js';
import { AlarmDefinitionEntity, HeartbeatAlarmEntity } from '../alarms/alarm.entity.js';
import { AlertAttempt } from '../alerts/alert-attempt.entity.js';
import { AlertChannelRow } from '../alerts/alert-channel.entity.js';
import { AlertDelivery } from '../alerts/alert-delivery.entity.js';
import { ClusterServerRow } from '../cluster/cluster-server.entity.js';
import { ClusterShardRow } from '../cluster/cluster-shard.entity.js';
import { HeartbeatInboxRow } from '../heartbeats/heartbeat-inbox.entity.js';
import { HeartbeatServiceEntity } from '../heartbeats/heartbeat-service.entity.js';
import { MaintenanceWindowRow } from '../maintenance/maintenance-window.entity.js';
import { CheckResultRow } from '../monitors/check-result.entity.js';
import { MonitorBucket } from '../monitors/monitor-bucket.entity.js';
import { MonitorIncident } from '../monitors/monitor-incident.entity.js';
import { MonitorSourceBucket } from '../monitors/monitor-source-bucket.entity.js';
import { MonitorSource } from '../monitors/monitor-source.entity.js';
import { Monitor } from '../monitors/monitor.entity.js';
import { Poller } from '../pollers/poller.entity.js';
import { ApiToken } from '../tokens/api-token.entity.js';
import { ConsoleSession } from '../web/console-session.entity.js';
import { ServerMeta } from './server-meta.entity.js';

/**
 * Every table of the server. Kept as one list because the migrations describe exactly this schema and a
 * medium test checks the two agree on SQLite and PostgreSQL. Plugins never have tables.
 */
export const ENTITIES = [
  ServerMeta,
  ApiToken,
  Monitor,
  MonitorSource,
  CheckResultRow,
  MonitorBucket,
  MonitorSourceBucket,
  MonitorIncident,
  HeartbeatServiceEntity,
  HeartbeatAlarmEntity,
  AlarmDefinitionEntity,
  AlertChannelRow,
  AlertDelivery,
  AlertAttempt,
  MaintenanceWindowRow,
  ConsoleSession,
  AgentRow,
  AgentSample,
  AgentBucket,
  Poller,
  HeartbeatInboxRow,
  ClusterServerRow,
  ClusterShardRow,
];
