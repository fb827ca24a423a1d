import type { AgentState } from './agent.entity.js';

/** An agent's state changed: what the alerts feature needs, and nothing it must look up. */
export interface AgentStateChanged {
  agentId: number;
  name: string;
  hostname: string;
  /** `new` for an agent's first judgement. */
  from: AgentState | 'new';
  to: AgentState;
  /** Why, in words: `disk /var 93 % > 90 %`; for a return to ok, what it was. */
  reason: string;
  at: number;
  /** Since when the previous state held (epoch ms). */
  since: number | null;
  /** Alert channel names attached to the agent (none: the defaults). */
  alerts: string[];
}

/** Another server judged an agent's state (several servers): this server's copy followed. For pages, not alerts. */
export interface AgentMirrored {
  agentId: number;
  state: AgentState;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'agent.state-changed': AgentStateChanged;
    'agent.mirrored': AgentMirrored;
  }
}
