import { Injectable, Logger } from '@nestjs/common';
import { EventBus } from '../events/pulse-events.js';
import { ApiError } from '../http/api-error.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { keepMaskedSecrets } from '../plugin-host/plugin-secrets.js';
import { Clock } from '../runtime/clock.js';
import { FieldErrorList, ValidationFailure } from '../runtime/validation-failure.js';
import { AlertChannelLookup } from './alert-channel-lookup.js';
import { MonitorBodyDto } from './monitor.dto.js';
import type { Monitor } from './monitor.entity.js';
import { MonitorRepository, type MonitorSettings } from './monitor.repository.js';
import { MonitorRuntime } from './monitor-runtime.service.js';
import { monitorView } from './monitor.views.js';
import { MonitorsQuery } from './monitors.query.js';
import { pollerSource, SourceDirectory } from './source-directory.js';

const DEFAULT_INTERVAL_S = 60;
const DEFAULT_TIMEOUT_S = 10;
const DEFAULT_RETRIES = 1;

/** Monitors API policy (SPEC §3): validation against the type's plugin, then the repository and the runtime. Reads are the MonitorsQuery's. */
@Injectable()
export class MonitorService {
  private readonly logger = new Logger('Monitors');

  constructor(
    private readonly monitors: MonitorRepository,
    private readonly query: MonitorsQuery,
    private readonly runtime: MonitorRuntime,
    private readonly registry: PluginRegistry,
    private readonly clock: Clock,
    private readonly alertChannels: AlertChannelLookup,
    private readonly directory: SourceDirectory,
    private readonly events: EventBus,
  ) {}

  async create(body: MonitorBodyDto) {
    const settings = await this.validated(body);
    const monitor = await this.monitors.insert(settings, this.clock.now());
    this.runtime.add(monitor);
    this.logger.log(`monitor ${monitor.id} "${monitor.name}" (${monitor.type} ${monitor.target}) created`);
    this.events.emit('monitor.changed', { monitorId: monitor.id, change: 'created' });
    return this.detail(monitor);
  }

  async update(id: number, body: MonitorBodyDto) {
    const current = await this.existing(id);
    // A PUT of what GET showed sends masked secrets back: those keep the stored values (same type only).
    const stored = body.type === current.type ? current.options : undefined;
    const options = keepMaskedSecrets(this.secretsOf(body.type), body.options ?? {}, stored);
    await this.monitors.updateSettings(id, await this.validated({ ...body, options }), this.clock.now());
    const monitor = (await this.monitors.findById(id))!;
    this.runtime.replace(monitor);
    this.events.emit('monitor.changed', { monitorId: id, change: 'updated' });
    return this.detail(monitor);
  }

  /**
   * PUT /api/poller/<id>/assign: exactly these monitors are checked from the poller; the others stop being
   * (their source leaves them). Returns the monitor ids now assigned.
   */
  async assignPoller(pollerId: number, monitorIds: readonly number[]): Promise<number[]> {
    const wanted = new Set(monitorIds);
    const lists = await this.monitors.pollerLists();
    const missing = [...wanted].filter((id) => !lists.has(id));
    if (missing.length > 0)
      throw ValidationFailure.field(
        'monitor_ids',
        `there is no monitor ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ` (and ${missing.length - 10} more)` : ''}; GET /api/monitors lists them`,
      );
    const changes: { id: number; pollers: number[]; removedSources: string[] }[] = [];
    for (const [id, pollers] of lists) {
      const has = pollers.includes(pollerId);
      if (wanted.has(id) && !has) changes.push({ id, pollers: [...pollers, pollerId], removedSources: [] });
      else if (!wanted.has(id) && has)
        changes.push({ id, pollers: pollers.filter((other) => other !== pollerId), removedSources: [pollerSource(pollerId)] });
    }
    await this.monitors.setPollers(changes, this.clock.now());
    for (const change of changes) {
      this.runtime.setPollers(change.id, change.pollers);
      this.events.emit('monitor.changed', { monitorId: change.id, change: 'updated' });
    }
    if (changes.length > 0) this.logger.log(`poller ${pollerId}: ${wanted.size} monitor(s) assigned (${changes.length} changed)`);
    return [...wanted].sort((a, b) => a - b);
  }

  /** A poller is deleted: its source leaves every monitor. */
  async detachPoller(pollerId: number): Promise<void> {
    await this.assignPoller(pollerId, []);
  }

  async remove(id: number) {
    const monitor = await this.existing(id);
    const view = monitorView(monitor, this.runtime.get(id), false, this.secretsOf(monitor.type));
    this.runtime.remove(id);
    await this.runtime.settle();
    try {
      await this.monitors.delete(id);
    } catch (error) {
      this.runtime.add(monitor); // not deleted after all (e.g. the disk is full): keep checking it
      throw error;
    }
    this.logger.log(`monitor ${id} "${monitor.name}" deleted`);
    this.events.emit('monitor.changed', { monitorId: id, change: 'deleted' });
    return view;
  }

  async pause(id: number) {
    const monitor = await this.existing(id);
    await this.monitors.setPaused(id, true, this.clock.now());
    await this.runtime.pause(id);
    this.events.emit('monitor.changed', { monitorId: id, change: 'paused' });
    return this.detail((await this.monitors.findById(id)) ?? monitor);
  }

  async resume(id: number) {
    const monitor = await this.existing(id);
    await this.monitors.setPaused(id, false, this.clock.now());
    await this.runtime.resume(id);
    this.events.emit('monitor.changed', { monitorId: id, change: 'resumed' });
    return this.detail((await this.monitors.findById(id)) ?? monitor);
  }

  private detail(monitor: Monitor) {
    return this.query.detail(monitor);
  }

  private secretsOf(type: string): readonly string[] | undefined {
    return this.query.secretsOf(type);
  }

  private async existing(id: number): Promise<Monitor> {
    const monitor = await this.monitors.findById(id);
    if (!monitor) throw ApiError.notFound(`There is no monitor with id ${id}. GET /api/monitors lists them.`);
    return monitor;
  }

  /**
   * Checks the body against the type's plugin and fills in defaults. Every problem is collected, so a
   * 400 names each field to fix (plugin options as `options.<key>`).
   */
  private async validated(body: MonitorBodyDto): Promise<MonitorSettings> {
    const errors = new FieldErrorList();
    const plugin = this.registry.check(body.type);
    if (!plugin) {
      const known = this.registry
        .checks()
        .map((check) => check.id)
        .sort()
        .join(', ');
      errors.add('type', `unknown monitor type "${body.type.slice(0, 40)}"; one of ${known}`);
    }
    const target = body.target.trim();
    const targetProblem = plugin?.plugin.validateTarget(target);
    if (targetProblem) errors.add('target', targetProblem);
    const intervalS = body.interval ?? DEFAULT_INTERVAL_S;
    const timeoutS = body.timeout ?? Math.min(DEFAULT_TIMEOUT_S, intervalS - 1);
    if (timeoutS >= intervalS) errors.add('timeout', `must be less than interval (${intervalS} s)`);
    const options = plugin ? this.registry.validateConfig(plugin, body.options ?? {}) : undefined;
    if (options && !options.ok) errors.addAll(options.errors, 'options');
    // A monitor may only name pollers that exist: a source nobody checks would stay unknown for ever.
    for (const id of new Set(body.pollers ?? [])) {
      if (await this.directory.pollerExists(id)) continue;
      errors.add('pollers', `there is no poller ${id}; GET /api/pollers lists them`);
      break;
    }
    // A monitor may only name alert channels that exist, so an alert never silently goes nowhere.
    for (const name of new Set(body.alerts ?? [])) {
      if (!(await this.alertChannels.exists(name))) {
        errors.add('alerts', `there is no alert channel "${name.slice(0, 100)}"; GET /api/alerts lists them`);
        break;
      }
    }
    errors.throwIfAny();
    const optionValues = options?.ok ? { ...options.value } : {}; // always ok here: any problem was thrown above
    return {
      name: body.name.trim(),
      type: body.type,
      target,
      intervalS,
      timeoutS,
      retries: body.retries ?? DEFAULT_RETRIES,
      quorum: body.quorum ?? null,
      pollers: [...new Set(body.pollers ?? [])],
      alerts: [...new Set(body.alerts ?? [])],
      options: optionValues as Record<string, unknown>,
    };
  }
}
