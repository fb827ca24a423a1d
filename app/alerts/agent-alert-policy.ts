import type { AlertEvent } from '../plugin-host/contracts.js';
import type { AgentStateChanged } from '../agents/agent.events.js';

/**
 * Whether an agent's state change is news: warning and down are; ok is a recovery only after warning or
 * down (not after a first report or a maintenance window); entering maintenance is never alerted.
 */
export function isAgentAlertable(from: string, to: string): boolean {
  if (from === to || to === 'maintenance') return false;
  if (to === 'ok' && (from === 'new' || from === 'maintenance')) return false;
  return true;
}

export function agentAlertEvent(change: AgentStateChanged, url: string | null): AlertEvent {
  return {
    kind: 'agent',
    id: String(change.agentId),
    name: change.name,
    fromState: change.from,
    toState: change.to,
    recovered: change.to === 'ok',
    incidentNumber: null,
    message: change.reason,
    url,
    at: change.at,
    since: change.since,
  };
}
