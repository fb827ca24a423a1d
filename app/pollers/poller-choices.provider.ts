import { Injectable } from '@nestjs/common';
import { ApiError } from '../http/api-error.js';
import type { PollerChoice } from '../monitors/monitor-form.js';
import { PollerChoices } from '../monitors/poller-choices.js';
import { PollersQuery } from './pollers.query.js';

/** The monitor form's Sources choices from the PollersQuery: active pollers, and the assigned ones that are not. */
@Injectable()
export class PollerSourceChoices implements PollerChoices {
  constructor(private readonly pollers: PollersQuery) {}

  choices(assigned: readonly number[]): PollerChoice[] {
    const active: PollerChoice[] = this.pollers
      .activeSources()
      .map((poller) => ({ id: poller.id, name: poller.name, location: poller.location || null, active: true }));
    const shown = new Set(active.map((poller) => poller.id));
    const inactive: PollerChoice[] = [];
    for (const id of assigned) {
      if (shown.has(id)) continue;
      shown.add(id);
      try {
        const poller = this.pollers.get(id);
        inactive.push({ id, name: poller.name, location: poller.location || null, active: false });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error; // deleted since: the form names it by its id
      }
    }
    return [...active, ...inactive];
  }
}
