/** What `views/partials/charts/usage-bar.hbs` draws: a 0–100 % bar (an SVG, since the CSP allows no style attributes). */
export interface UsageBarView {
  /** The filled width out of 100, at least a sliver when above zero so a small figure is still seen. */
  width: string;
  /** `bad` over the threshold, `warn` within 10 points below it, `ok` otherwise; `idle` without a figure. */
  tone: 'ok' | 'warn' | 'bad' | 'idle';
  /** `42 %`, or `—`. */
  text: string;
  /** The text alternative: `CPU 42 %, warning above 90 %`. */
  label: string;
  /** Where the threshold sits on the bar (0–100), when there is one. */
  mark: string | null;
  empty: boolean;
}

/**
 * A percentage as a small bar coloured against its threshold: over it is `bad`, within 10 points below
 * it `warn`, otherwise `ok`. The threshold is marked on the bar, and everything is also said in words.
 */
export function usageBar(subject: string, percent: number | null | undefined, threshold?: number): UsageBarView {
  const mark = threshold === undefined ? null : String(clamp(threshold));
  if (percent === null || percent === undefined || !Number.isFinite(percent))
    return { width: '0', tone: 'idle', text: '—', label: `${subject}: no figure yet`, mark, empty: true };
  const value = clamp(percent);
  const text = `${value >= 10 || value === 0 ? Math.round(value) : Math.round(value * 10) / 10} %`;
  const tone = threshold === undefined ? 'ok' : value > threshold ? 'bad' : value >= threshold - 10 ? 'warn' : 'ok';
  const limit = threshold === undefined ? '' : `, warning above ${threshold} %`;
  return {
    width: String(value > 0 ? Math.max(1, Math.round(value * 10) / 10) : 0),
    tone,
    text,
    label: `${subject} ${text}${limit}`,
    mark,
    empty: false,
  };
}

function clamp(value: number): number {
  return Math.min(100, Math.max(0, value));
}
