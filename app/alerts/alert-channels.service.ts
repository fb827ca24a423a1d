import { Injectable, Logger } from '@nestjs/common';
import { AlertChannelLookup } from '../monitors/alert-channel-lookup.js';
import { AlertingSection } from '../config/config.schema.js';
import { EventBus } from '../events/pulse-events.js';
import { ApiError } from '../http/api-error.js';
import type { PluginMeta } from '../plugin-host/contracts.js';
import { PluginRegistry, type RegisteredAlerter } from '../plugin-host/plugin-registry.js';
import { keepMaskedSecrets, maskSecrets } from '../plugin-host/plugin-secrets.js';
import { Clock } from '../runtime/clock.js';
import { FieldErrorList, ValidationFailure } from '../runtime/validation-failure.js';
import type { AlertChannelRow } from './alert-channel.entity.js';
import { AlertChannelRepository } from './alert-channel.repository.js';
import { AlertDeliveryRepository } from './alert-delivery.repository.js';
import { AlertFileConfig } from './alert-file-config.js';
import { targetKey, type AlertChannel, type ChannelTarget } from './channel-targets.js';
import { scriptDirProblem } from './script-dir.js';
import './alert.events.js';

export interface ChannelInput {
  name: string;
  type: string;
  settings: Record<string, unknown>;
  default?: boolean;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Alert channels: the config file's `[alerts.NAME]` (read and checked with the alerters' declarations
 * before the start, read-only here) and the ones made through the API (stored). A target's effective
 * settings are what its alerter's server-wide sections set ([mail], [mailgun], [slack]) overlaid with the
 * channel's own, validated by the alerter's config class.
 */
@Injectable()
export class AlertChannelsService implements AlertChannelLookup {
  private readonly logger = new Logger('Alerts');
  private readonly configChannels: ReadonlyMap<string, AlertChannel>;

  constructor(
    private readonly fileConfig: AlertFileConfig,
    private readonly alerting: AlertingSection,
    private readonly plugins: PluginRegistry,
    private readonly repository: AlertChannelRepository,
    private readonly deliveries: AlertDeliveryRepository,
    private readonly clock: Clock,
    private readonly events: EventBus,
  ) {
    this.configChannels = new Map(fileConfig.channels.map((channel) => [channel.name, channel]));
  }

  /** Whether a channel of that name exists (monitors may only name existing ones). */
  async exists(name: string): Promise<boolean> {
    return (await this.find(name)) !== null;
  }

  async choices(): Promise<{ name: string; isDefault: boolean }[]> {
    return (await this.list()).map((channel) => ({ name: channel.name, isDefault: channel.isDefault }));
  }

  async list(): Promise<AlertChannel[]> {
    const stored = (await this.repository.list()).map(fromRow);
    return [...this.configChannels.values(), ...stored].sort((a, b) => a.name.localeCompare(b.name));
  }

  async find(name: string): Promise<AlertChannel | null> {
    const configured = this.configChannels.get(name);
    if (configured) return configured;
    const row = await this.repository.findByName(name);
    return row ? fromRow(row) : null;
  }

  async get(name: string): Promise<AlertChannel> {
    const channel = await this.find(name);
    if (!channel) throw ApiError.notFound(`There is no alert channel "${name}". GET /api/alerts lists them.`);
    return channel;
  }

  /** The channels an event goes to: the ones named, or the default channels when none is named. */
  async resolve(names: readonly string[]): Promise<AlertChannel[]> {
    const all = await this.list();
    if (names.length === 0) return all.filter((channel) => channel.isDefault);
    const wanted = new Set(names);
    const missing = names.filter((name) => !all.some((channel) => channel.name === name));
    if (missing.length > 0)
      this.logger.warn(`alert channel(s) ${missing.map((name) => `"${name}"`).join(', ')} do not exist; nothing sent there`);
    return all.filter((channel) => wanted.has(channel.name));
  }

  async create(input: ChannelInput): Promise<AlertChannel> {
    this.validateInput(input);
    if (await this.find(input.name)) throw ApiError.conflict(`An alert channel "${input.name}" already exists.`);
    const now = this.clock.now();
    const row = await this.repository.insert({
      name: input.name,
      type: input.type,
      settings: JSON.stringify(input.settings),
      isDefault: input.default ?? false,
      createdAt: now,
      updatedAt: now,
    });
    this.logger.log(`alert channel "${input.name}" (${input.type}) created`);
    return fromRow(row);
  }

  async update(name: string, input: ChannelInput): Promise<AlertChannel> {
    const current = await this.editable(name);
    if (input.name !== name) throw ValidationFailure.field('name', `cannot be changed (it is "${name}"); create a new channel instead`);
    // Sending back what GET showed keeps the stored secrets (same alerter type only).
    const stored = current.targets[0]?.type === input.type ? current.targets[0].settings : undefined;
    input = { ...input, settings: keepMaskedSecrets(this.secretsOf(input.type), input.settings, stored) };
    this.validateInput(input);
    await this.repository.update(name, {
      type: input.type,
      settings: JSON.stringify(input.settings),
      isDefault: input.default ?? false,
      updatedAt: this.clock.now(),
    });
    return (await this.find(name))!;
  }

  /**
   * Deletes the channel and cancels what was still queued for it (pending, retries, held for a digest,
   * and a send in flight, which is not retried): kept in the delivery log as `cancelled` with the reason.
   */
  async remove(name: string): Promise<void> {
    const channel = await this.editable(name);
    await this.repository.remove(name);
    const cancelled = await this.deliveries.cancelAll(
      channel.targets.map((target) => targetKey(name, target.type)),
      `the alert channel "${name}" was deleted`,
      this.clock.now(),
    );
    this.logger.log(`alert channel "${name}" deleted${cancelled > 0 ? `; ${cancelled} queued alert(s) cancelled` : ''}`);
    if (cancelled > 0) this.events.emit('alert.delivery-changed', { id: null, channel: name, status: 'cancelled' });
  }

  /** The alerter and validated settings a target sends with. */
  effective(channel: AlertChannel, target: ChannelTarget): { alerter: RegisteredAlerter; settings: object } {
    const alerter = this.plugins.alerter(target.type);
    if (!alerter) throw new Error(`no alerter plugin "${target.type}" is installed (installed: ${this.installedAlerters()})`);
    const result = this.plugins.validateConfig(alerter, { ...this.fileConfig.serverWideSettings(target.type), ...target.settings });
    if (!result.ok) throw new Error(result.errors.map((error) => `${error.field}: ${error.message}`).join('; '));
    // Checked again at each send: a symlink under script_dir may have been pointed elsewhere since.
    if (channel.source === 'api') {
      const problem = this.executableProblems(alerter, target.settings)[0];
      if (problem) throw new Error(`${problem.field}: ${problem.message}`);
    }
    return { alerter, settings: result.value };
  }

  /** Settings as the API shows them: secrets masked. */
  masked(target: ChannelTarget): Record<string, unknown> {
    return maskSecrets(this.secretsOf(target.type), target.settings);
  }

  private installedAlerters(): string {
    return this.plugins
      .alerters()
      .map((item) => item.id)
      .sort()
      .join(', ');
  }

  private secretsOf(type: string): readonly string[] | undefined {
    return (this.plugins.alerter(type)?.meta as PluginMeta<Record<string, unknown>> | undefined)?.secrets;
  }

  /** Executables named by an API channel that lie outside `[alerting] script_dir`, by settings field. */
  private executableProblems(alerter: RegisteredAlerter, settings: Record<string, unknown>): { field: string; message: string }[] {
    const keys = (alerter.meta as PluginMeta<Record<string, unknown>>).executables ?? [];
    return keys.flatMap((key) => {
      const value = settings[key];
      const message = typeof value === 'string' && value !== '' ? scriptDirProblem(value, this.alerting.script_dir) : null;
      return message ? [{ field: key, message }] : [];
    });
  }

  /** Name, alerter and settings checked together, so a form shows every bad field at once. */
  private validateInput(input: ChannelInput): void {
    const errors = new FieldErrorList();
    if (!NAME.test(input.name)) errors.add('name', 'must be 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit');
    const alerter = this.plugins.alerter(input.type);
    if (!alerter) {
      errors.add('type', `unknown alerter "${input.type}"; installed: ${this.installedAlerters()}`);
    } else {
      const result = this.plugins.validateConfig(alerter, { ...this.fileConfig.serverWideSettings(input.type), ...input.settings });
      errors.addAll(result.ok ? this.executableProblems(alerter, input.settings) : result.errors, 'settings');
    }
    errors.throwIfAny();
  }

  private async editable(name: string): Promise<AlertChannel> {
    const channel = await this.get(name);
    if (channel.source === 'config')
      throw ApiError.conflict(`Alert channel "${name}" is defined in the configuration file; change it there.`);
    return channel;
  }
}

function fromRow(row: AlertChannelRow): AlertChannel {
  return {
    name: row.name,
    source: 'api',
    isDefault: row.isDefault,
    targets: [{ type: row.type, settings: JSON.parse(row.settings) as Record<string, unknown> }],
  };
}
