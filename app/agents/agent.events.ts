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

/** An agent was made (its first report), edited or deleted: what lists show of it changed. */
export interface AgentChanged {
  agentId: number;
}

/** An agent's report arrived: its figures changed (the agent's page shows them). */
export interface AgentReported {
  agentId: number;
}

/** Another server judged an agent's state (several servers): this server's copy followed. For pages, not alerts. */
export interface AgentMirrored {
  agentId: number;
  state: AgentState;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'agent.state-changed': AgentStateChanged;
    'agent.changed': AgentChanged;
    'agent.reported': AgentReported;
    'agent.mirrored': AgentMirrored;
  }
}
