import { Injectable, Logger, Optional, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { ClusterBus } from '../cluster/cluster-bus.js';
import { EventBus } from '../events/pulse-events.js';
import { Clock } from '../runtime/clock.js';
import './maintenance.events.js';
import { MaintenanceRepository } from './maintenance.repository.js';
import { occurrenceAt, WindowScope, type MaintenanceSubject, type MaintenanceWindow, type Occurrence } from './maintenance-window.js';

/** How often windows are checked for a start or an end, and how often other servers' edits are picked up. */
const TICK_MS = 1_000;
const RELOAD_MS = 30_000;

/**
 * Knows which windows are on. `covers()` is asked on hot paths (every beat), so it reads a list kept
 * up to date by a one-second tick, which also emits `maintenance.started` / `maintenance.ended`.
 */
@Injectable()
export class MaintenanceService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Maintenance');
  private scopes = new Map<number, WindowScope>();
  /** Windows on right now, with their occurrence. */
  private readonly active = new Map<number, { scope: WindowScope; occurrence: Occurrence }>();
  private timer: NodeJS.Timeout | null = null;
  private lastReload = 0;
  /** Reloads run one after another: a slow periodic read must never land after a newer one. */
  private reloading: Promise<void> = Promise.resolve();
  private firstLoad: Promise<void> | null = null;

  constructor(
    private readonly repository: MaintenanceRepository,
    private readonly events: EventBus,
    private readonly clock: Clock,
    @Optional() private readonly bus?: ClusterBus,
  ) {
    // Several servers: a window made, changed or deleted on another one applies here at once.
    bus?.subscribe(
      'maintenance',
      () => void this.reload().catch((error: Error) => this.logger.error(`maintenance reload failed: ${error.message}`)),
    );
  }

  /** After an API change here: this server reads the windows again, and tells the others to. */
  async changed(): Promise<void> {
    await this.reload();
    // The others also read the windows every 30 s: a lost notice only delays them.
    await this.bus
      ?.publish('maintenance', {})
      .catch((error: Error) => this.logger.warn(`could not tell the other servers: ${error.message}`));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.ready();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * The windows read once, for what restores its state at start (HeartbeatEngine): a service saved inside
   * a window that is still on must come back inside it, before any tick (and before event listeners are
   * subscribed, so the start event of that first read may reach nobody).
   */
  ready(): Promise<void> {
    this.firstLoad ??= this.reload();
    return this.firstLoad;
  }

  /** True while an active window covers the subject. */
  covers(subject: MaintenanceSubject): boolean {
    if (this.active.size === 0) return false;
    for (const { scope } of this.active.values()) if (scope.covers(subject)) return true;
    return false;
  }

  /** The active window covering the subject, if any (for views). */
  coveringWindow(subject: MaintenanceSubject): { window: MaintenanceWindow; occurrence: Occurrence } | null {
    for (const { scope, occurrence } of this.active.values()) if (scope.covers(subject)) return { window: scope.window, occurrence };
    return null;
  }

  isActive(id: number): Occurrence | null {
    return this.active.get(id)?.occurrence ?? null;
  }

  /** Reads the windows again (after an API change here, or periodically for other servers' changes) and applies them. */
  reload(): Promise<void> {
    // A failed read must not stop later ones: the chain continues from settled, not fulfilled, promises.
    this.reloading = this.reloading
      .catch(() => undefined)
      .then(async () => {
        const windows = await this.repository.list();
        this.scopes = new Map(windows.map((window) => [window.id, new WindowScope(window)]));
        this.lastReload = this.clock.now();
        this.apply(this.clock.now());
      });
    return this.reloading;
  }

  private async tick(): Promise<void> {
    try {
      if (this.clock.now() - this.lastReload >= RELOAD_MS) await this.reload();
      else this.apply(this.clock.now());
    } catch (error) {
      this.logger.error(`maintenance check failed: ${(error as Error).message}`);
    }
  }

  /** Starts and ends occurrences as of `now`, telling the rest of Pulse. */
  private apply(now: number): void {
    for (const [id, running] of this.active) {
      const scope = this.scopes.get(id);
      const current = scope ? occurrenceAt(scope.window, now) : null;
      if (!scope || !current || current.start !== running.occurrence.start) {
        this.active.delete(id);
        const endedAt = Math.min(now, running.occurrence.end);
        this.logger.log(`maintenance "${running.scope.window.name}" ended`);
        this.events.emit('maintenance.ended', { window: running.scope.window, at: endedAt });
      } else if (scope !== running.scope) {
        this.active.set(id, { scope, occurrence: current }); // edited while on: the new scope applies
      }
    }
    for (const [id, scope] of this.scopes) {
      if (this.active.has(id)) continue;
      const occurrence = occurrenceAt(scope.window, now);
      if (!occurrence) continue;
      this.active.set(id, { scope, occurrence });
      this.logger.log(`maintenance "${scope.window.name}" started, until ${new Date(occurrence.end).toISOString()}`);
      this.events.emit('maintenance.started', { window: scope.window, at: now });
    }
  }
}
