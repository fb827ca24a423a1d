import { Injectable } from '@nestjs/common';
import { AgentChoices, type ScopeChoice } from '../maintenance/scope-choices.js';
import { AgentsQuery } from './agents.query.js';

/** The maintenance form's agents: by name or host name through the AgentsQuery. */
@Injectable()
export class AgentChoicesProvider extends AgentChoices {
  constructor(private readonly query: AgentsQuery) {
    super();
  }

  search(text: string, limit: number): Promise<ScopeChoice[]> {
    const { items } = this.query.list({ q: text.trim() || undefined, sort: 'name' }, { page: 1, perPage: limit });
    return Promise.resolve(items.map((agent) => ({ id: agent.id, name: agent.name, tag: agent.hostname })));
  }

  byIds(ids: readonly number[]): Promise<ScopeChoice[]> {
    const wanted = new Set(ids);
    const { items } = this.query.list({}, { page: 1, perPage: null });
    const found = new Map(items.filter((agent) => wanted.has(agent.id)).map((agent) => [agent.id, agent]));
    return Promise.resolve(
      ids.flatMap((id) => {
        const agent = found.get(id);
        return agent ? [{ id, name: agent.name, tag: agent.hostname }] : [];
      }),
    );
  }
}
