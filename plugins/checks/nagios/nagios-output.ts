/**
 * The Nagios plugin output format (Nagios plugin API, "Plugin Output Spec"):
 *
 *   TEXT OUTPUT | OPTIONAL PERFDATA
 *   LONG TEXT LINE 1
 *   LONG TEXT LINE N | PERFDATA LINE 2
 *   PERFDATA LINE 3
 *
 * Performance data is space-separated `'label'=value[UOM];[warn];[crit];[min];[max]`; a label holding
 * spaces or `=` is quoted with `'`, and `''` inside quotes is a literal quote.
 */

export interface PerfDatum {
  label: string;
  /** Null when the plugin printed `U` (value could not be determined). */
  value: number | null;
  /** Unit of measure as printed: `s`, `ms`, `us`, `%`, `B`, `KB`, `MB`, `GB`, `TB`, `c`, or "". */
  uom: string;
  /** Threshold ranges as printed (`10`, `10:20`, `@10:20`, `~:5`), or null when empty. */
  warn: string | null;
  crit: string | null;
  min: number | null;
  max: number | null;
}

export interface PluginOutput {
  /** The first line, before any `|`. */
  message: string;
  /** Lines after the first, up to the perfdata that may follow them. */
  longOutput: string[];
  perfdata: PerfDatum[];
  /** Perfdata items that did not parse, as printed. */
  perfdataSkipped: string[];
}

export function parsePluginOutput(text: string): PluginOutput {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const [first = '', ...rest] = lines;
  const firstBar = first.indexOf('|');
  const message = (firstBar < 0 ? first : first.slice(0, firstBar)).trim();
  const perfdataTexts = firstBar < 0 ? [] : [first.slice(firstBar + 1)];
  const longOutput: string[] = [];
  let inPerfdata = false;
  for (const line of rest) {
    if (inPerfdata) {
      perfdataTexts.push(line);
      continue;
    }
    const bar = line.indexOf('|');
    if (bar < 0) {
      longOutput.push(line);
      continue;
    }
    longOutput.push(line.slice(0, bar));
    perfdataTexts.push(line.slice(bar + 1));
    inPerfdata = true;
  }
  while (longOutput.length > 0 && longOutput[longOutput.length - 1]!.trim() === '') longOutput.pop();
  const parsed = parsePerfdata(perfdataTexts.join(' '));
  return { message, longOutput, perfdata: parsed.perfdata, perfdataSkipped: parsed.skipped };
}

const NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?/;

export function parsePerfdata(text: string): { perfdata: PerfDatum[]; skipped: string[] } {
  const perfdata: PerfDatum[] = [];
  const skipped: string[] = [];
  let position = 0;
  const isSpace = (char: string | undefined) => char !== undefined && /\s/.test(char);
  while (position < text.length) {
    while (isSpace(text[position])) position++;
    if (position >= text.length) break;
    const start = position;
    let label = '';
    let labelOk = true;
    if (text[position] === "'") {
      position++;
      let closed = false;
      while (position < text.length) {
        if (text[position] === "'") {
          if (text[position + 1] === "'") {
            label += "'";
            position += 2;
            continue;
          }
          position++;
          closed = true;
          break;
        }
        label += text[position++];
      }
      labelOk = closed && text[position] === '=';
    } else {
      while (position < text.length && text[position] !== '=' && !isSpace(text[position])) label += text[position++];
      labelOk = text[position] === '=';
    }
    if (!labelOk || label === '') {
      while (position < text.length && !isSpace(text[position])) position++;
      skipped.push(text.slice(start, position));
      continue;
    }
    position++; // '='
    let data = '';
    while (position < text.length && !isSpace(text[position])) data += text[position++];
    const datum = parseDatum(label, data);
    if (datum) perfdata.push(datum);
    else skipped.push(text.slice(start, position));
  }
  return { perfdata, skipped };
}

function parseDatum(label: string, data: string): PerfDatum | null {
  const [valueText = '', warn = '', crit = '', min = '', max = ''] = data.split(';');
  let value: number | null;
  let uom: string;
  if (valueText === 'U') {
    value = null;
    uom = '';
  } else {
    const number = NUMBER.exec(valueText);
    if (!number) return null;
    value = Number(number[0]);
    uom = valueText.slice(number[0].length);
    if (!/^[^\d\s]*$/.test(uom)) return null;
  }
  return { label, value, uom, warn: warn === '' ? null : warn, crit: crit === '' ? null : crit, min: toNumber(min), max: toNumber(max) };
}

function toNumber(text: string): number | null {
  const number = NUMBER.exec(text);
  return number && number[0] === text ? Number(number[0]) : null;
}

const SECONDS_PER_UNIT: Record<string, number> = { '': 1, s: 1, ms: 1e-3, us: 1e-6 };

/** The `time` item in milliseconds (what monitoring-plugins print as the response time), or null. */
export function latencyFromPerfdata(perfdata: PerfDatum[]): number | null {
  const time = perfdata.find(
    (datum) => datum.label.toLowerCase() === 'time' && datum.value !== null && Object.hasOwn(SECONDS_PER_UNIT, datum.uom),
  );
  if (!time || time.value === null || time.value < 0) return null;
  return time.value * SECONDS_PER_UNIT[time.uom]! * 1000;
}
