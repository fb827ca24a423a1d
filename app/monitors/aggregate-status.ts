import type { CheckResultStatus } from './monitor-source.entity.js';

/** A source's status as the aggregate sees it: its last result, or unknown when it has none fresh. */
export type SourceStatus = CheckResultStatus | 'unknown';
export type AggregateStatus = 'pending' | 'up' | 'down' | 'warning';

/** A result older than two intervals and 30 s no longer says anything about the present. */
export function staleAfterMs(intervalMs: number): number {
  return 2 * intervalMs + 30_000;
}

export function freshStatus(
  latest: { status: CheckResultStatus; checkedAt: number } | undefined,
  intervalMs: number,
  now: number,
): SourceStatus {
  if (!latest || now - latest.checkedAt > staleAfterMs(intervalMs)) return 'unknown';
  return latest.status;
}

/**
 * SPEC §3 "Multi-source": unknown sources are left out (all unknown → pending). Without a quorum: all up →
 * up, all down → down, any other mix → warning. With `quorum` N: down only when at least N sources are
 * down; a mix below N is a warning.
 */
export function aggregateStatus(statuses: readonly SourceStatus[], quorum: number | null = null): AggregateStatus {
  const known = statuses.filter((status): status is CheckResultStatus => status !== 'unknown');
  if (known.length === 0) return 'pending';
  const down = known.filter((status) => status === 'down').length;
  const up = known.filter((status) => status === 'up').length;
  if (quorum !== null) {
    if (down >= quorum) return 'down';
    return up === known.length ? 'up' : 'warning';
  }
  if (down === known.length) return 'down';
  if (up === known.length) return 'up';
  return 'warning';
}
