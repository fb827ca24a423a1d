import { Injectable, Logger } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { describeStorageFailure } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { HeartbeatEngine } from '../heartbeats/heartbeat-engine.js';
import { ApiError } from '../http/api-error.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import type { CreateAlarmDto } from './alarm.dto.js';
import { AlarmEngine } from './alarm-engine.js';
import { alarmDefinitionProblem, type AlarmDefinition } from './alarm-pattern.js';
import { AlarmRepository } from './alarm.repository.js';

/** Policy behind /api/alarms' commands: definitions from the API next to the config's, and Lovebeat's delete rule. */
@Injectable()
export class AlarmsService {
  private readonly logger = new Logger('Alarms');

  constructor(
    private readonly alarms: AlarmEngine,
    private readonly heartbeats: HeartbeatEngine,
    private readonly repository: AlarmRepository,
    private readonly clock: Clock,
    private readonly storage: StorageHealth,
    private readonly bus: ClusterBus,
  ) {
    // Another server made or deleted a definition: every service's membership is worked out again here too.
    const reload = () => {
      this.alarms
        .reloadDefinitions()
        .then(() => this.heartbeats.regroup())
        .catch((error: Error) => this.logger.error(`could not read the alarm definitions another server changed: ${error.message}`));
    };
    bus.subscribe('alarm-definitions', reload);
    bus.onResync(reload);
  }

  async create(body: CreateAlarmDto): Promise<AlarmDefinition> {
    const definition = checkedDefinition(body);
    const clash = this.alarms.definition(definition.name);
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
    this.redefine([...this.apiDefinitions(), definition]);
    await this.tellOthers(definition.name);
    this.logger.log(`alarm definition "${definition.name}" created`);
    return definition;
  }

  /**
   * A definition made through the API gets new patterns or alerts (PUT /api/alarms/<name>, the console's
   * Edit). Its name stays (a new name is a new definition); every service's membership is worked out
   * again, so alarms that no service matches any more are left without members. Config-file definitions
   * are changed in the file.
   */
  async update(name: string, body: CreateAlarmDto): Promise<AlarmDefinition> {
    const current = this.alarms.definition(name);
    if (!current) throw ApiError.notFound(`There is no alarm definition "${name}". GET /api/alarms lists them.`);
    if (current.source === 'config')
      throw ApiError.conflict(`Alarm definition "${name}" is in the configuration file ([[alarms]]); change it there.`);
    if (body.name !== name) throw ValidationFailure.field('name', `cannot be changed (it is "${name}"); create a new alarm instead`);
    const definition = checkedDefinition(body);
    await this.repository.updateDefinition(name, {
      pattern: definition.pattern,
      includes: JSON.stringify(definition.includes),
      excludes: JSON.stringify(definition.excludes),
      alerts: JSON.stringify(definition.alerts),
    });
    this.redefine(this.apiDefinitions().map((other) => (other.name === name ? definition : other)));
    this.logger.log(`alarm definition "${name}" changed`);
    return definition;
  }

  /**
   * Lovebeat's rule: only an alarm without services can be deleted, and it comes back when a matching
   * service appears. An API definition goes with it when the name given is the definition's own.
   */
  async remove(name: string): Promise<void> {
    // An alarm's removal is saved with the next batch of alarm changes: refused while the database refuses writes.
    const problem = this.storage.problem;
    if (problem) throw ApiError.storageUnavailable(describeStorageFailure(problem.kind));
    const alarm = this.alarms.get(name);
    const definition = this.alarms.definition(name);
    if (!alarm && definition?.source !== 'api') throw ApiError.notFound(`There is no alarm "${name}". GET /api/alarms lists them.`);
    if (alarm && alarm.members.size > 0) {
      throw ApiError.conflict(
        `Alarm "${name}" still has ${alarm.members.size} service(s); delete or rename them first (DELETE /api/services/<name>).`,
      );
    }
    if (definition?.source === 'api') {
      const busy = [...this.alarms.all.values()].find((other) => other.definition.name === name && other.members.size > 0);
      if (busy) throw ApiError.conflict(`Alarm "${busy.name}" made by definition "${name}" still has services; delete them first.`);
      await this.repository.deleteDefinition(name);
      this.redefine(this.apiDefinitions().filter((other) => other.name !== name));
      for (const other of [...this.alarms.all.values()]) if (other.definition.name === name) this.alarms.remove(other.name);
      await this.tellOthers(name);
      this.logger.log(`alarm definition "${name}" deleted`);
    }
    if (alarm) this.alarms.remove(name);
  }

  /** Several servers: the others read the definitions again (a notice lost with a dropped connection is made up by its resync). */
  private async tellOthers(name: string): Promise<void> {
    await this.bus
      .publish('alarm-definitions', { name })
      .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`));
  }

  /** New API definitions: every service's membership is worked out again. */
  private redefine(fromApi: AlarmDefinition[]): void {
    this.alarms.setApiDefinitions(fromApi);
    this.heartbeats.regroup();
  }

  private apiDefinitions(): AlarmDefinition[] {
    return this.alarms.definitions.filter((definition) => definition.source === 'api');
  }
}

/** An API definition from the request's fields; 400 naming `pattern` when its patterns cannot make an alarm. */
function checkedDefinition(body: CreateAlarmDto): AlarmDefinition {
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
  return definition;
}
