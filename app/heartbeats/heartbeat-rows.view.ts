import { formatDuration } from '../web/view-helpers.js';
import { queryString, queryText } from '../web/pager.js';
import { AUTO_TIMEOUT, NO_TIMEOUT } from './heartbeat-values.js';
import type { ServiceView } from './heartbeat.views.js';
import { SERVICE_SORTS, SERVICE_STATES, type ServiceSort } from './services.query.js';
import type { ServiceState } from './service-record.js';

/** How the console lists heartbeat services, as its URL says it (a link is a bookmark). */
export interface ServiceListParams {
  state: ServiceState | null;
  q: string;
  sort: ServiceSort;
  descending: boolean;
  page: number;
  perPage: number;
}

export const PAGE_SIZES = [50, 100, 250] as const;
const DEFAULTS: ServiceListParams = { state: null, q: '', sort: 'name', descending: false, page: 1, perPage: 100 };
/** Sorts whose natural first look is the newest first. */
const DESCENDING_FIRST = new Set<ServiceSort>(['last_beat', 'last_state_change']);

/** The query string read leniently: a value that makes no sense falls back to its default, never an error page. */
export function readServiceListParams(query: Record<string, unknown>): ServiceListParams {
  const state = queryText(query.state);
  const sort = queryText(query.sort);
  const dir = queryText(query.dir);
  const page = Number(queryText(query.page));
  const perPage = Number(queryText(query.per_page));
  const chosenSort = SERVICE_SORTS.includes(sort as ServiceSort) ? (sort as ServiceSort) : DEFAULTS.sort;
  return {
    state: SERVICE_STATES.includes(state as ServiceState) ? (state as ServiceState) : null,
    q: (queryText(query.q) ?? '').trim().slice(0, 255),
    sort: chosenSort,
    descending: dir === 'desc' ? true : dir === 'asc' ? false : DESCENDING_FIRST.has(chosenSort),
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
    perPage: (PAGE_SIZES as readonly number[]).includes(perPage) ? perPage : DEFAULTS.perPage,
  };
}

/** `heartbeats?state=error&…` for these params (defaults left out). */
export function serviceListHref(params: ServiceListParams, changes: Partial<ServiceListParams> = {}): string {
  const next = { ...params, ...changes };
  const sortIsDefault = next.sort === DEFAULTS.sort && next.descending === DESCENDING_FIRST.has(next.sort);
  return `heartbeats${queryString({
    state: next.state,
    q: next.q,
    sort: sortIsDefault ? null : next.sort,
    dir: sortIsDefault ? null : next.descending ? 'desc' : 'asc',
    per_page: next.perPage === DEFAULTS.perPage ? null : next.perPage,
    page: next.page === 1 ? null : next.page,
  })}`;
}

/** A column header's sort link: the other direction when it is the current sort, else its natural one. */
export function sortLink(params: ServiceListParams, sort: ServiceSort, label: string) {
  const current = params.sort === sort;
  const descending = current ? !params.descending : DESCENDING_FIRST.has(sort);
  return {
    label,
    href: serviceListHref(params, { sort, descending, page: 1 }),
    ariaSort: current ? (params.descending ? 'descending' : 'ascending') : 'none',
    arrow: current ? (params.descending ? '↓' : '↑') : '',
  };
}

/** A service's timeout as it reads, and as the edit field shows it. */
export function timeoutView(service: Pick<ServiceView, 'timeout' | 'effective_timeout'>) {
  if (service.timeout === NO_TIMEOUT) return { kind: 'none', text: 'none', detail: 'never goes to error by silence', input: 'none' };
  if (service.timeout === AUTO_TIMEOUT) {
    return service.effective_timeout < 0
      ? { kind: 'learning', text: 'auto', detail: 'learning the rhythm (needs 2 intervals)', input: 'auto' }
      : {
          kind: 'auto',
          text: `auto: ${formatDuration(service.effective_timeout)}`,
          detail: 'worked out from the recent intervals',
          input: 'auto',
        };
  }
  return { kind: 'fixed', text: formatDuration(service.timeout), detail: 'fixed', input: secondsText(service.timeout) };
}

/** `60`, `0.5`: a timeout in seconds as typed. */
function secondsText(ms: number): string {
  return String(Math.round(ms) / 1000);
}

/**
 * The beat rhythm, once there are enough intervals to say it: `every 55 s – 1 min` (`precise`, the
 * service page), or short in whole units for the list's Rhythm column (`23 h – 1 d`, `9–11 min`), with
 * the precise one as its `title`.
 */
export function analysisText(analysis: ServiceView['analysis'], precise = true): { text: string; title: string; unstable: boolean } | null {
  if (!analysis) return null;
  const lower = formatDuration(analysis.lower);
  const upper = formatDuration(analysis.upper);
  const exact = lower === upper ? `every ${upper}` : `every ${lower} – ${upper}`;
  return { text: precise ? exact : roughRange(analysis.lower, analysis.upper), title: exact, unstable: analysis.unstable };
}

/** `9–11 min`, `23 h – 1 d`, `1 h`. */
function roughRange(lower: number, upper: number): string {
  const [low, lowUnit] = roughDuration(lower).split(' ');
  const [high, highUnit] = roughDuration(upper).split(' ');
  if (lowUnit !== highUnit) return `${low} ${lowUnit} – ${high} ${highUnit}`;
  return low === high ? `${high} ${highUnit}` : `${low}–${high} ${highUnit}`;
}

/** A duration in its largest unit, rounded (59.8 min is `1 h`): `55 s`, `12 min`, `2 h`, `1 d`. */
export function roughDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.round(ms / 3_600_000);
  if (hours < 24) return `${hours} h`;
  return `${Math.round(ms / 86_400_000)} d`;
}

/** Why a service is in error before its deadline, in words. */
export function problemText(problem: ServiceView['problem']): string | null {
  if (problem === 'failed') return 'the job reported a failure (.fail)';
  if (problem === 'too_often') return 'beats came closer than min_interval';
  return null;
}

/** A list row's data. */
export function serviceRow(service: ServiceView) {
  return {
    name: service.name,
    state: service.state,
    since: service.last_state_change,
    lastBeat: service.last_beat >= 0 ? service.last_beat : null,
    timeout: timeoutView(service),
    analysis: analysisText(service.analysis, false),
    problem: problemText(service.problem),
    muted: service.muted_since >= 0,
    alarms: service.in_alarms.map((alarm) => ({ name: alarm, href: encodeURIComponent(alarm) })),
    running: service.run_started_at >= 0 ? service.run_started_at : null,
  };
}

/**
 * Reads the timeout field of the edit form: seconds, `auto` or `none` (empty too). Returns the value the
 * API's `timeout` takes, or the problem to show next to the field.
 */
export function readTimeoutField(value: string): { ok: true; timeout: string } | { ok: false; error: string } {
  const text = value.trim().toLowerCase();
  if (text === '' || text === 'none' || text === '-1') return { ok: true, timeout: '-1' };
  if (text === 'auto' || text === '-2') return { ok: true, timeout: 'auto' };
  const match = /^(\d+(?:\.\d+)?)\s*(s|sec|m|min|h)?$/.exec(text);
  if (!match) return { ok: false, error: 'Give seconds (e.g. 300, or 5m, 2h), “auto” to learn it from the beats, or “none”.' };
  const factor = match[2]?.startsWith('h') ? 3600 : match[2]?.startsWith('m') ? 60 : 1;
  return { ok: true, timeout: String(Number(match[1]) * factor) };
}
