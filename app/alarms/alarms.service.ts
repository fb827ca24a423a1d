import { Injectable, Logger } from '@nestjs/common';
import { describeStorageFailure } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { HeartbeatEngine } from '../heartbeats/heartbeat-engine.js';
import { HeartbeatRepository } from '../heartbeats/heartbeat.repository.js';
import { alarmView, serviceView, type StatusCounts } from '../heartbeats/heartbeat.views.js';
import { ApiError } from '../http/api-error.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import type { AlarmRecord } from './alarm-book.js';
import type { CreateAlarmDto } from './alarm.dto.js';
import { alarmDefinitionProblem, type AlarmDefinition } from './alarm-pattern.js';

/** Policy behind /api/alarms: definitions from the API next to the config's, and Lovebeat's delete rule. */
@Injectable()
export class AlarmsService {
  private readonly logger = new Logger('Alarms');

  constructor(
    private readonly engine: HeartbeatEngine,
    private readonly repository: HeartbeatRepository,
    private readonly clock: Clock,
    private readonly storage: StorageHealth,
  ) {}

  list() {
    const alarms = [...this.engine.alarms.alarms.values()].sort((a, b) => (a.name < b.name ? -1 : 1)).map(alarmView);
    return { alarms, definitions: this.engine.alarms.definitions, now: this.clock.now() };
  }

  get(name: string) {
    const alarm = this.existing(name);
    return { alarm: alarmView(alarm), services: this.engine.alarmServices(alarm).map(serviceView), now: this.clock.now() };
  }

  status(name: string): StatusCounts {
    const alarm = this.existing(name);
    return { num_ok: alarm.members.size - alarm.failed.size, num_error: alarm.failed.size };
  }

  async create(body: CreateAlarmDto): Promise<AlarmDefinition> {
    const definition: AlarmDefinition = {
      name: body.name,
      pattern: body.pattern ?? '',
      includes: body.includes ?? [],
      excludes: body.excludes ?? [],
      alerts: body.alerts ?? [],
      source: 'api',
    };
    const problem = alarmDefinitionProblem(definition);
    if (problem) throw ValidationFailure.field('pattern', problem);
    const clash = this.engine.alarms.definition(definition.name);
    if (clash)
      throw ApiError.conflict(
        `An alarm definition "${definition.name}" already exists (from ${clash.source === 'config' ? 'the config file' : 'the API'}).`,
      );
    await this.repository.insertDefinition({
      name: definition.name,
      pattern: definition.pattern,
      includes: JSON.stringify(definition.includes),
      excludes: JSON.stringify(definition.excludes),
      alerts: JSON.stringify(definition.alerts),
      createdAt: this.clock.now(),
    });
    this.engine.setApiDefinitions([...this.apiDefinitions(), definition]);
    this.logger.log(`alarm definition "${definition.name}" created`);
    return definition;
  }

  /**
   * Lovebeat's rule: only an alarm without services can be deleted, and it comes back when a matching
   * service appears. An API definition goes with it when the name given is the definition's own.
   */
  async remove(name: string): Promise<void> {
    // An alarm's removal is saved with the next heartbeat batch: refused while the database refuses writes.
    const problem = this.storage.problem;
    if (problem) throw ApiError.storageUnavailable(describeStorageFailure(problem.kind));
    const alarm = this.engine.alarms.alarms.get(name);
    const definition = this.engine.alarms.definition(name);
    if (!alarm && definition?.source !== 'api') throw ApiError.notFound(`There is no alarm "${name}". GET /api/alarms lists them.`);
    if (alarm && alarm.members.size > 0) {
      throw ApiError.conflict(
        `Alarm "${name}" still has ${alarm.members.size} service(s); delete or rename them first (DELETE /api/services/<name>).`,
      );
    }
    if (definition?.source === 'api') {
      const busy = [...this.engine.alarms.alarms.values()].find((other) => other.definition.name === name && other.members.size > 0);
      if (busy) throw ApiError.conflict(`Alarm "${busy.name}" made by definition "${name}" still has services; delete them first.`);
      await this.repository.deleteDefinition(name);
      this.engine.setApiDefinitions(this.apiDefinitions().filter((other) => other.name !== name));
      for (const other of [...this.engine.alarms.alarms.values()])
        if (other.definition.name === name) this.engine.alarms.remove(other.name);
      this.logger.log(`alarm definition "${name}" deleted`);
    }
    if (alarm) this.engine.alarms.remove(name);
  }

  private apiDefinitions(): AlarmDefinition[] {
    return this.engine.alarms.definitions.filter((definition) => definition.source === 'api');
  }

  private existing(name: string): AlarmRecord {
    const alarm = this.engine.alarms.alarms.get(name);
    if (!alarm) throw ApiError.notFound(`There is no alarm "${name}". GET /api/alarms lists them.`);
    return alarm;
  }
}
