import { minIntervalFromSeconds, isServiceName, SERVICE_NAME_RULE, timeoutFromSeconds } from '../heartbeats/heartbeat-values.js';

/**
 * One statsd line of Lovebeat's protocol: `<service>.<command>:<value>|<type>[|@<rate>]`. The metric type
 * (c, g, ms) does not change the meaning and a sample rate is accepted and ignored, as in Lovebeat.
 */
export type StatsdCommand = 'beat' | 'autobeat' | 'timeout' | 'start' | 'fail' | 'min_interval';

export interface StatsdLine {
  service: string;
  command: StatsdCommand;
  /** Milliseconds for timeout and min_interval (or -1 / -2); the counter value otherwise. */
  value: number;
}

/** A short stable code (Prometheus label) and the words for the debug log. */
export interface StatsdLineError {
  code: 'syntax' | 'name' | 'command' | 'value' | 'type' | 'sample_rate' | 'too_long';
  reason: string;
}

const COMMANDS = new Set<string>(['beat', 'autobeat', 'timeout', 'start', 'fail', 'min_interval']);
const TYPES = new Set(['c', 'g', 'ms']);
const NUMBER = /^-?\d+(\.\d+)?$/;
const SAMPLE_RATE = /^@(\d+(\.\d*)?|\.\d+)$/;

export function parseStatsdLine(line: string): StatsdLine | StatsdLineError {
  const colon = line.indexOf(':');
  if (colon < 0) return { code: 'syntax', reason: 'expected "<service>.<command>:<value>|<type>"' };
  const key = line.slice(0, colon);
  const dot = key.lastIndexOf('.');
  if (dot <= 0) return { code: 'syntax', reason: 'expected "<service>.<command>" before ":", e.g. "invoice.mailer.beat:1|c"' };
  const service = key.slice(0, dot);
  const command = key.slice(dot + 1);
  if (!isServiceName(service)) return { code: 'name', reason: SERVICE_NAME_RULE };
  if (!COMMANDS.has(command))
    return {
      code: 'command',
      reason: `unknown command "${command.slice(0, 40)}": use beat, autobeat, timeout, start, fail or min_interval`,
    };

  const fields = line.slice(colon + 1).split('|');
  if (fields.length < 2 || fields.length > 3) return { code: 'syntax', reason: 'expected "<value>|<type>" after ":", e.g. "1|c"' };
  const [text, type, rate] = fields as [string, string, string | undefined];
  if (!TYPES.has(type)) return { code: 'type', reason: `metric type must be c, g or ms, not "${type.slice(0, 20)}"` };
  if (rate !== undefined && !SAMPLE_RATE.test(rate))
    return { code: 'sample_rate', reason: `sample rate must look like "@0.1", not "${rate.slice(0, 20)}"` };
  if (!NUMBER.test(text)) return { code: 'value', reason: `value must be a number, not "${text.slice(0, 20)}"` };

  const number = Number(text);
  if (command === 'timeout' || command === 'min_interval') {
    const checked = command === 'timeout' ? timeoutFromSeconds(number) : minIntervalFromSeconds(number);
    return checked.ok ? { service, command, value: checked.ms } : { code: 'value', reason: checked.reason };
  }
  if (number < 0) return { code: 'value', reason: `${command} needs a counter value of 0 or more, not ${text}` };
  return { service, command: command as StatsdCommand, value: number };
}

export function isLineError(result: StatsdLine | StatsdLineError): result is StatsdLineError {
  return (result as StatsdLineError).code !== undefined;
}

/**
 * Calls `onLine` for each line of a datagram or TCP chunk (`\n` or `\r\n`). Blank lines carry no command
 * and are passed over, so `echo "x.beat:1|c"` with its trailing newline is one line, not two.
 */
export function forEachLine(text: string, onLine: (line: string) => void): void {
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end;
    if (stop > start) onLine(text.slice(start, stop));
    start = end + 1;
  }
}
