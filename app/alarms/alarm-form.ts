import type { CreateAlarmDto } from './alarm.dto.js';
import type { AlarmDefinition } from './alarm-pattern.js';

/** The console's alarm form as typed: patterns one per line, alert channels ticked. */
export interface AlarmFormValues {
  name: string;
  pattern: string;
  includes: string;
  excludes: string;
  alerts: string[];
}

const text = (value: unknown): string => {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last : '';
};
const many = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((item): item is string => typeof item === 'string');
const lines = (value: string): string[] =>
  value
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);

export function emptyAlarmForm(): AlarmFormValues {
  return { name: '', pattern: '', includes: '', excludes: '', alerts: [] };
}

export function alarmFormOf(definition: AlarmDefinition): AlarmFormValues {
  return {
    name: definition.name,
    pattern: definition.pattern,
    includes: definition.includes.join('\n'),
    excludes: definition.excludes.join('\n'),
    alerts: [...definition.alerts],
  };
}

/** A submission: channels ticked (`alerts`) and, without JavaScript's list, typed (`alerts_text`, comma-separated). */
export function readAlarmForm(body: Record<string, unknown>): AlarmFormValues {
  const typed = text(body.alerts_text)
    .split(/[\s,]+/)
    .filter(Boolean);
  return {
    name: text(body.name).trim(),
    pattern: text(body.pattern).trim(),
    includes: text(body.includes),
    excludes: text(body.excludes),
    alerts: [...new Set([...many(body.alerts).filter(Boolean), ...typed])],
  };
}

/** The API input the form stands for (empty lists left out, as a hand-written request would). */
export function alarmInput(values: AlarmFormValues): CreateAlarmDto {
  const input: CreateAlarmDto = { name: values.name };
  if (values.pattern !== '') input.pattern = values.pattern;
  const includes = lines(values.includes);
  const excludes = lines(values.excludes);
  if (includes.length > 0) input.includes = includes;
  if (excludes.length > 0) input.excludes = excludes;
  if (values.alerts.length > 0) input.alerts = values.alerts;
  return input;
}
