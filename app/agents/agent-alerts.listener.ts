import { Injectable, Logger } from '@nestjs/common';
import { AlertDispatcher } from '../alerts/alert-dispatcher.service.js';
import { ServerConfig } from '../config/config.schema.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import { consoleLink } from '../http/console-link.js';
import { agentAlertEvent, isAgentAlertable } from './agent-alert-policy.js';
import type { AgentStateChanged } from './agent.events.js';

/** Agent state changes worth telling people about go to the agent's alert channels, or the default ones. */
@Injectable()
export class AgentAlertsListener {
  private readonly logger = new Logger('Agents');

  constructor(
    private readonly dispatcher: AlertDispatcher,
    private readonly config: ServerConfig,
  ) {}

  @OnPulseEvent('agent.state-changed')
  async onAgentStateChanged(change: AgentStateChanged): Promise<void> {
    if (!isAgentAlertable(change.from, change.to)) return;
    try {
      await this.dispatcher.dispatch(agentAlertEvent(change, consoleLink(this.config, `agents/${change.agentId}`)), change.alerts);
    } catch (error) {
      this.logger.error(
        `could not queue the alert for agent ${change.agentId} "${change.name}" (${change.from} → ${change.to}): ${(error as Error).message}`,
      );
    }
  }
}
