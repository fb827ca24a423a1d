import type { AlertEvent } from './contracts.js';

/*
 * Words for alert messages, shared by the alerter plugins so that a mail, a Slack post and a script's
 * environment describe an event the same way.
 */

/** One line of text from network-supplied data: no control characters (so no CR/LF into a header), capped. */
export function cleanLine(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const single = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return single.length > max ? `${single.slice(0, max - 1)}…` : single;
}

/** `DOWN`, `WARNING`, `ERROR`… */
export function stateLabel(state: string): string {
  return cleanLine(state, 32).toUpperCase();
}

/** `2026-11-22 12:00:05 UTC` */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `web-01 is DOWN`, `web-01 has recovered`, `12 changes: 9 DOWN, 3 recovered`. */
export function alertHeadline(event: AlertEvent): string {
  if (event.kind === 'digest') {
    const events = event.events ?? [];
    const counts = new Map<string, number>();
    for (const item of events) {
      const word = item.recovered ? 'recovered' : stateLabel(item.toState);
      counts.set(word, (counts.get(word) ?? 0) + 1);
    }
    const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([word, count]) => `${count} ${word}`);
    return `${events.length} changes: ${parts.join(', ')}`;
  }
  const name = cleanLine(event.name, 120);
  if (event.kind === 'test') return `Test message for ${name}`;
  if (event.recovered) return `${name} has recovered`;
  return `${name} is ${stateLabel(event.toState)}`;
}

/** The body of a plain-text message: reason, since when, incident, sources, link. */
export function eventLines(event: AlertEvent): string[] {
  if (event.kind === 'digest') {
    const lines = (event.events ?? []).map(
      (item) => `- ${formatTime(item.at)}  ${alertHeadline(item)}${item.message ? ` — ${cleanLine(item.message)}` : ''}`,
    );
    return [
      `${alertHeadline(event)} within a short time; they are summed up here instead of one message each.`,
      '',
      ...lines,
      ...link(event),
    ];
  }
  const lines = [`${alertHeadline(event)} (was ${cleanLine(event.fromState, 32)}) at ${formatTime(event.at)}.`];
  if (event.message) lines.push(`Reason: ${cleanLine(event.message, 500)}`);
  if (event.since !== null) lines.push(`The previous state held since ${formatTime(event.since)}.`);
  if (event.incidentNumber !== null) lines.push(`Incident #${event.incidentNumber}`);
  if (event.sources && event.sources.length > 0) {
    lines.push('', 'Sources:');
    for (const source of event.sources)
      lines.push(
        `  ${cleanLine(source.name, 60)}: ${cleanLine(source.status, 16)}${source.message ? ` — ${cleanLine(source.message)}` : ''}`,
      );
  }
  return [...lines, ...link(event)];
}

function link(event: AlertEvent): string[] {
  return event.url ? ['', event.url] : [];
}
