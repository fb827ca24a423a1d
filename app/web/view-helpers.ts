/**
 * Pure formatting for templates (registered as Handlebars helpers by the view engine). Each returns plain
 * text, which Handlebars escapes like any other value.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `2026-12-01 17:21 UTC`: one unambiguous form for every reader of a shared console. */
export function formatDateTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** `17:21:05 UTC`: a time of day for lists of recent events (the full date is in its title). */
export function formatTimeOfDay(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2026-12-01`: a UTC day. */
export function formatDay(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/**
 * `99.95 %`, `100 %`, `12.3 %`: an uptime, cut (not rounded) to two decimals, so 99.999 % of a day with an
 * outage never reads as 100 %.
 */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return `${Math.floor(value * 100) / 100} %`;
}

export function isoDateTime(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '' : new Date(ms).toISOString();
}

/** `just now`, `5 min ago`, `3 h ago`, `2 days ago`, `in 29 days`. */
export function relativeTime(ms: number | null | undefined, now: number): string {
  if (ms === null || ms === undefined) return 'never';
  const delta = now - ms;
  const future = delta < 0;
  const abs = Math.abs(delta);
  if (abs < MINUTE) return future ? 'in under a minute' : 'just now';
  let text: string;
  if (abs < HOUR) text = `${Math.floor(abs / MINUTE)} min`;
  else if (abs < DAY) text = `${Math.floor(abs / HOUR)} h`;
  else text = pluralize(Math.floor(abs / DAY), 'day');
  return future ? `in ${text}` : `${text} ago`;
}

/** `250 ms`, `1.2 s`, `45 s`, `5 min`, `3 h 20 min`, `2 d 4 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < MINUTE) return `${Math.round(ms / 1000)} s`;
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) {
    const minutes = Math.floor((ms % HOUR) / MINUTE);
    return minutes ? `${Math.floor(ms / HOUR)} h ${minutes} min` : `${Math.floor(ms / HOUR)} h`;
  }
  const hours = Math.floor((ms % DAY) / HOUR);
  return hours ? `${Math.floor(ms / DAY)} d ${hours} h` : `${Math.floor(ms / DAY)} d`;
}

/** `0.04 ms`, `1.6 ms`, `38 ms`, `1520 ms`: a latency with the digits that tell (loopback pings are far under 1 ms). */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms >= 10) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${Math.round(ms * 10) / 10} ms`;
  return `${Math.max(0.01, Math.round(ms * 100) / 100)} ms`;
}

/** `1 token`, `3 tokens`, `0 tokens`; irregular plurals passed in. */
export function pluralize(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}

/** How a state reads: a word for every state, and a tone the stylesheet colours (never colour alone). */
export interface StateView {
  label: string;
  tone: 'ok' | 'bad' | 'warn' | 'idle' | 'info';
}

const STATES: Record<string, StateView> = {
  up: { label: 'Up', tone: 'ok' },
  ok: { label: 'OK', tone: 'ok' },
  active: { label: 'Active', tone: 'ok' },
  online: { label: 'Online', tone: 'ok' },
  offline: { label: 'Offline', tone: 'bad' },
  down: { label: 'Down', tone: 'bad' },
  error: { label: 'Error', tone: 'bad' },
  failed: { label: 'Failed', tone: 'bad' },
  warning: { label: 'Warning', tone: 'warn' },
  degraded: { label: 'Degraded', tone: 'warn' },
  expired: { label: 'Expired', tone: 'warn' },
  revoked: { label: 'Revoked', tone: 'idle' },
  paused: { label: 'Paused', tone: 'idle' },
  muted: { label: 'Muted', tone: 'idle' },
  pending: { label: 'Pending', tone: 'info' },
  unknown: { label: 'Unknown', tone: 'info' },
  maintenance: { label: 'Maintenance', tone: 'info' },
  // Alert deliveries.
  sent: { label: 'Sent', tone: 'ok' },
  sending: { label: 'Sending', tone: 'info' },
  held: { label: 'Held for a digest', tone: 'warn' },
  digested: { label: 'In a digest', tone: 'idle' },
  cancelled: { label: 'Cancelled', tone: 'idle' },
  fenced: { label: 'Fenced', tone: 'warn' },
  unreachable: { label: 'Unreachable', tone: 'bad' },
  stopped: { label: 'Stopped', tone: 'idle' },
};

export function stateView(state: string): StateView {
  return STATES[state] ?? { label: state ? state.charAt(0).toUpperCase() + state.slice(1) : 'Unknown', tone: 'info' };
}
