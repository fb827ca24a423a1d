/** What each heartbeat command does to a service's record, whether taken here or forwarded by another server (no I/O, no state rules). */
import type { ServiceStateChanged } from './heartbeat.events.js';
import type { HeartbeatInboxRow } from './heartbeat-inbox.entity.js';
import type { ServiceRecord } from './service-record.js';

export type Transport = 'udp' | 'tcp' | 'http';

/** What a beat-like command changes besides (optionally) beating. */
export interface ServiceUpdate {
  beat: boolean;
  timeoutMs?: number;
  minIntervalMs?: number;
}

export type Reason = ServiceStateChanged['reason'];

/** A command for a service another server decides (several servers on one PostgreSQL). */
export interface ForwardedCommand {
  name: string;
  command: 'beat' | 'config' | 'start' | 'fail' | 'mute' | 'unmute' | 'delete';
  at: number;
  timeoutMs?: number;
  minIntervalMs?: number;
  transport: Transport;
}

/** What a beat or new settings change in the record (every server keeps its copy current); returns the reason to settle with. */
export function applyUpdate(service: ServiceRecord, update: ServiceUpdate, at: number): Reason {
  let reason: Reason = 'config';
  if (update.timeoutMs !== undefined) service.timeoutMs = update.timeoutMs;
  if (update.minIntervalMs !== undefined) service.minIntervalMs = update.minIntervalMs;
  if (update.beat) {
    const now = at;
    const sincePrevious = service.recordBeat(now);
    if (service.runStartedAt !== null || service.problem === 'failed') endRun(service, now, 'ok');
    const tooOften = service.minIntervalMs > 0 && sincePrevious >= 0 && sincePrevious < service.minIntervalMs;
    service.problem = tooOften ? 'too_often' : null;
    service.deadlineRestartedAt = -1;
    reason = tooOften ? 'too_often' : 'beat';
  }
  return reason;
}

/** `.fail`: the run ends failed, and the service is in error until its next beat. */
export function applyFail(service: ServiceRecord, now: number): void {
  endRun(service, now, 'failed');
  service.problem = 'failed';
}

/** Records the run that ends now (begun at `.start`, or of unknown start) with its result. */
function endRun(service: ServiceRecord, now: number, result: 'ok' | 'failed'): void {
  service.recordRun({
    started_at: service.runStartedAt,
    ended_at: now,
    duration_ms: service.runStartedAt === null ? null : now - service.runStartedAt,
    result,
  });
  service.runStartedAt = null;
}

/**
 * A command another server took, applied to the record at its own time (a beat counts from when it was
 * received). Returns the reason to settle with, or null when there is nothing to settle (`.start`).
 * `delete` is not for here: it takes the service out of the engine.
 */
export function applyForwarded(service: ServiceRecord, command: HeartbeatInboxRow): Reason | null {
  switch (command.command) {
    case 'beat':
    case 'config': {
      const update: ServiceUpdate = { beat: command.command === 'beat' };
      if (command.timeoutMs !== null) update.timeoutMs = command.timeoutMs;
      if (command.minIntervalMs !== null) update.minIntervalMs = command.minIntervalMs;
      if (update.beat && command.count > 1) applyUpdate(service, { beat: true }, command.firstAt);
      return applyUpdate(service, update, command.at);
    }
    case 'start':
      service.runStartedAt = command.at;
      return null;
    case 'fail':
      applyFail(service, command.at);
      return 'failed';
    case 'mute':
      service.mutedSince ??= command.at;
      return 'muted';
    case 'unmute':
      service.mutedSince = null;
      return 'unmuted';
    default:
      return null;
  }
}
