import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { ResultsSection } from '../config/config.schema.js';
import { describeStorageFailure } from '../database/storage-failure.js';
import { StorageHealth } from '../database/storage-health.js';
import { ApiError } from '../http/api-error.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { MonitorRuntime } from '../monitors/monitor-runtime.service.js';
import { RecordRefused, type RecordRefusal } from '../monitors/result-recorder.js';
import { pollerSource } from '../monitors/source-directory.js';
import { Clock } from '../runtime/clock.js';
import { ValidationFailure } from '../runtime/validation-failure.js';
import type { CallerToken } from '../tokens/request-token.decorator.js';
import type { RegisterPollerDto } from './poller.dto.js';
import { PollerRegistry, type LivePoller, type OutboxFigures } from './poller-registry.service.js';
import { PollerRepository } from './poller.repository.js';
import { parseReportedResult } from './poller-result.js';

/** Most results in one POST /api/poller/results (pollers send at most 500). */
export const MAX_RESULTS_PER_BATCH = 1000;
/** How long a batch may wait for the database before the poller is told to send it again. */
const STORE_TIMEOUT_MS = 25_000;
const DAY_MS = 86_400_000;

export interface TasksAnswer {
  etag: string;
  /** Null when the poller's copy (If-None-Match) is current: 304. */
  body: { poller: { id: number; name: string }; tasks: ReturnType<MonitorRuntime['tasksFor']> } | null;
}

export interface ResultsAnswer {
  accepted: number;
  duplicates: number;
  rejected: { index: number; reason: string }[];
}

const REFUSALS: Record<Exclude<RecordRefusal, 'overloaded'>, (monitorId: number) => string> = {
  'unknown-monitor': (id) => `there is no monitor ${id}`,
  paused: (id) => `monitor ${id} is paused; results are not kept while it is`,
  'not-a-source': (id) => `monitor ${id} is not assigned to this poller`,
};

/**
 * What a poller does with its token (SPEC §4): register (binding the token to one poller), ask who it
 * is, fetch its tasks, and report results. A poller token only ever speaks for its own poller: its
 * results land on its own source `poller:<id>`, and only for monitors assigned to it.
 */
@Injectable()
export class PollerLinkService {
  private readonly logger = new Logger('Pollers');
  /** Registrations in progress, per token: a poller retrying at once does not make two. */
  private readonly registering = new Map<number, Promise<LivePoller>>();
  private readonly received: Counter<'outcome'>;

  constructor(
    private readonly registry: PollerRegistry,
    private readonly repository: PollerRepository,
    private readonly runtime: MonitorRuntime,
    private readonly results: ResultsSection,
    private readonly clock: Clock,
    private readonly storage: StorageHealth,
    metrics: MetricsService,
  ) {
    this.received = metrics.counter({
      name: 'pulse_poller_results_total',
      help: 'Results reported by pollers: accepted, duplicate (stored before) or rejected',
      labelNames: ['outcome'],
    });
  }

  /** POST /api/poller/register: idempotent; the first call binds the token to a new poller. */
  async register(token: CallerToken, body: RegisterPollerDto): Promise<{ id: number; name: string; location: string }> {
    let pending = this.registering.get(token.id);
    if (!pending) {
      pending = this.bind(token, body).finally(() => this.registering.delete(token.id));
      this.registering.set(token.id, pending);
    }
    const live = await pending;
    return { id: live.poller.id, name: live.poller.name, location: live.poller.location };
  }

  private async bind(token: CallerToken, body: RegisterPollerDto): Promise<LivePoller> {
    const version = (body.version ?? '').trim();
    const known = await this.registry.known(token.id);
    const holder = this.registry.byName(body.name.trim());
    if (known && holder && holder !== known) {
      throw new ApiError(
        403,
        'forbidden',
        `This token belongs to poller ${known.poller.id} "${known.poller.name}"; it cannot register as poller ${holder.poller.id} "${holder.poller.name}".`,
      );
    }
    if (known) {
      if (version && version !== known.poller.version) {
        await this.repository.update(known.poller.id, { version });
        known.poller.version = version;
        this.registry.changed(known.poller.id);
        this.logger.log(`poller ${known.poller.id} "${known.poller.name}" now runs version ${version}`);
      }
      this.registry.heard(known.poller.id);
      return known;
    }
    const name = body.name.trim();
    if (holder) {
      throw new ApiError(
        403,
        'forbidden',
        `A poller named "${holder.poller.name}" (poller ${holder.poller.id}) is registered with another token; this token cannot register as it. ` +
          'Give this poller another name in poller.conf, or delete that poller first.',
      );
    }
    const now = this.clock.now();
    const poller = await this.repository.insert({
      name,
      location: (body.location ?? '').trim(),
      tokenId: token.id,
      version,
      lastSeenAt: now,
      createdAt: now,
    });
    this.logger.log(
      `poller ${poller.id} "${poller.name}"${poller.location ? ` (${poller.location})` : ''} registered with token #${token.id}${version ? `, version ${version}` : ''}`,
    );
    const live = this.registry.hold(poller);
    this.registry.changed(poller.id);
    return live;
  }

  /** GET /api/poller/whoami: the installers check a token with it before anything is registered. */
  async whoami(token: CallerToken): Promise<{ id: number | null; name: string }> {
    const live = await this.registry.known(token.id);
    if (live) this.registry.heard(live.poller.id);
    return live ? { id: live.poller.id, name: live.poller.name } : { id: null, name: token.name };
  }

  /** GET /api/poller/tasks: its assigned monitors as check tasks; `body` null when `ifNoneMatch` is current. */
  async tasks(token: CallerToken, ifNoneMatch: string | undefined): Promise<TasksAnswer> {
    const live = await this.requirePoller(token);
    this.registry.heard(live.poller.id);
    const body = { poller: { id: live.poller.id, name: live.poller.name }, tasks: this.runtime.tasksFor(live.poller.id) };
    const etag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 27)}"`;
    const current = ifNoneMatch?.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag) ?? false;
    return { etag, body: current ? null : body };
  }

  /**
   * POST /api/poller/results: each result checked and recorded on the poller's own source, then answered
   * per item once it is in the database. A result stored before (same monitor, source and checked_at) is
   * a duplicate: stored and counted once. 503 when the database cannot keep up (the poller sends again).
   */
  async report(token: CallerToken, body: Record<string, unknown>): Promise<ResultsAnswer> {
    const live = await this.requirePoller(token);
    const pollerId = live.poller.id;
    const items = body.results;
    if (!Array.isArray(items)) throw ValidationFailure.field('results', 'must be a list of results');
    if (items.length > MAX_RESULTS_PER_BATCH)
      throw ValidationFailure.field('results', `must hold at most ${MAX_RESULTS_PER_BATCH} results`);
    const outbox = outboxFigures(body.outbox);
    this.registry.heard(pollerId, outbox);
    // While writes fail the results would only wait in memory: the poller's outbox keeps them better.
    const problem = this.storage.problem;
    if (problem) throw ApiError.storageUnavailable(describeStorageFailure(problem.kind));
    const now = this.clock.now();
    const oldest = now - this.results.retention_days * DAY_MS;
    const source = pollerSource(pollerId);
    const answer: ResultsAnswer = { accepted: 0, duplicates: 0, rejected: [] };
    let overloaded = false;
    const recorded = items.map(async (raw, index) => {
      const parsed = parseReportedResult(raw, now, oldest);
      if (typeof parsed === 'string') return answer.rejected.push({ index, reason: parsed });
      if (!this.runtime.isCheckedBy(parsed.monitorId, pollerId)) {
        const exists = this.runtime.get(parsed.monitorId) !== undefined;
        return answer.rejected.push({ index, reason: REFUSALS[exists ? 'not-a-source' : 'unknown-monitor'](parsed.monitorId) });
      }
      try {
        const outcome = await this.runtime.recordReported(parsed.monitorId, source, parsed.result, parsed.checkedAt);
        if (outcome === 'stored') answer.accepted++;
        else answer.duplicates++;
      } catch (error) {
        if (!(error instanceof RecordRefused)) throw error;
        if (error.refusal === 'overloaded') overloaded = true;
        else answer.rejected.push({ index, reason: REFUSALS[error.refusal](parsed.monitorId) });
      }
      return undefined;
    });
    this.runtime.writeReportedSoon();
    let timer: NodeJS.Timeout | undefined;
    const stored = await Promise.race([
      Promise.all(recorded).then(() => true),
      new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), STORE_TIMEOUT_MS))),
    ]).finally(() => clearTimeout(timer));
    if (!stored || overloaded) {
      throw new ApiError(
        503,
        'unavailable',
        'The server cannot store results right now; send the batch again later (it is counted once).',
        {
          'retry-after': '10',
        },
      );
    }
    answer.rejected.sort((a, b) => a.index - b.index);
    this.received.inc({ outcome: 'accepted' }, answer.accepted);
    this.received.inc({ outcome: 'duplicate' }, answer.duplicates);
    this.received.inc({ outcome: 'rejected' }, answer.rejected.length);
    if (answer.rejected.length > 0)
      this.logger.debug(
        `poller ${pollerId}: ${answer.rejected.length} of ${items.length} result(s) rejected: ${answer.rejected[0]!.reason}`,
      );
    return answer;
  }

  private async requirePoller(token: CallerToken): Promise<LivePoller> {
    const live = await this.registry.known(token.id);
    if (!live)
      throw new ApiError(403, 'not_registered', 'This poller token is not registered to a poller yet; POST /api/poller/register first.');
    return live;
  }
}

/** The `outbox` member of a batch (optional): whole numbers, or the batch is refused naming it. */
function outboxFigures(raw: unknown): OutboxFigures | undefined {
  if (raw === undefined || raw === null) return undefined;
  const figures = raw as Record<string, unknown>;
  const whole = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
  if (typeof raw !== 'object' || Array.isArray(raw) || !whole(figures.queued) || !whole(figures.dropped))
    throw ValidationFailure.field('outbox', 'must be {"queued": <whole number>, "dropped": <whole number>}');
  return { queued: figures.queued as number, dropped: figures.dropped as number };
}
