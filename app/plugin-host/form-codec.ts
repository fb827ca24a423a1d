/*
 * Between a plugin's config and an HTML form, driven by its form description. Pure functions: the
 * console renders formValues() and hands the submitted fields to decodeForm(); the config class then
 * validates the result, so a value decodeForm cannot convert is passed on as typed and refused there,
 * with the config class's message, on the right field.
 */
import { isSecretField, readPath, writePath, type FormDescription, type FormField, type FormScalar } from './plugin-form.js';
import { SECRET_MASK } from './plugin-secrets.js';

/** A submitted form: input name → its value, or its values when the name came several times. */
export type FormSubmission = Record<string, string | readonly string[] | undefined>;

export interface FormMapRow {
  key: string;
  value: string;
}

/**
 * A field's value ready to render: text for inputs, textareas and selects (the choice whose String(value)
 * equals it is selected); true/false for a checkbox; the selected values of a multiselect; the rows of a map.
 */
export type FormValue = string | boolean | string[] | FormMapRow[];

/** Input names of a map field's rows: each row sends one key and one value, in the same order. */
export function mapInputNames(name: string): { key: string; value: string } {
  return { key: `${name}[key]`, value: `${name}[value]` };
}

/**
 * The values a form shows for `config` (what is stored; `{}` for a new form). A field the config does not
 * set shows its default. A secret the config sets shows SECRET_MASK, never its value (a default, such as
 * the community "public", is no secret: it is shown, so sending it back stores the default, not the mask).
 */
export function formValues(description: FormDescription, config: Record<string, unknown>): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const field of description.fields) {
    const stored = readPath(config, field.name);
    values[field.name] = stored === undefined ? toFormValue(field, field.default, false) : toFormValue(field, stored, isSecretField(field));
  }
  return values;
}

function toFormValue(field: FormField, value: unknown, masked: boolean): FormValue {
  switch (field.type) {
    case 'boolean':
      return value === true;
    case 'multiselect':
      return Array.isArray(value) ? value.map(String) : [];
    case 'list':
      return Array.isArray(value) ? value.map(String).join('\n') : '';
    case 'map':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value).map(([key, text]) => ({ key, value: masked && String(text) !== '' ? SECRET_MASK : String(text) }))
        : [];
    case 'duration':
      return typeof value === 'number' ? formatDuration(value, field.unit ?? 'ms') : '';
    default: {
      const text = value === undefined || value === null ? '' : String(value);
      return masked && text !== '' ? SECRET_MASK : text;
    }
  }
}

/**
 * The plugin config a submitted form stands for. `prefix` is put before every field's input name
 * (`options.` when the console nests the plugin's fields in a bigger form).
 *
 * - An empty field is left out, so the config class's default (or the server-wide setting) applies; an
 *   empty selection of a select too (a choice with value "" means "not set").
 * - A checkbox that is not sent is false; "true", "on", "1" and "yes" are true, "false", "off", "0" and ""
 *   false (a hidden "false" input before the checkbox works too: the last value counts).
 * - A multiselect that is not sent is an empty list; a list field is split into lines and commas, each item
 *   trimmed (with `separator: 'lines'`: at line breaks only, each item as typed), unless its items came as
 *   separate inputs; empty items are dropped. A map is built from its key/value rows, rows with neither dropped.
 * - A secret sent back as SECRET_MASK stays the mask: keepMaskedSecrets() swaps in the stored value.
 */
export function decodeForm(description: FormDescription, submission: FormSubmission, prefix = ''): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const field of description.fields) {
    const value = decodeField(field, submission, `${prefix}${field.name}`);
    if (value !== undefined) writePath(config, field.name, value);
  }
  return config;
}

/**
 * The values a form shows again after its submission was refused: what was typed, as it was typed (a
 * duration stays "5 minutes", not a number), so the person can correct it. `prefix` as in decodeForm.
 */
export function submittedValues(description: FormDescription, submission: FormSubmission, prefix = ''): Record<string, FormValue> {
  const values: Record<string, FormValue> = {};
  for (const field of description.fields) {
    const input = `${prefix}${field.name}`;
    const raw = submission[input];
    switch (field.type) {
      case 'boolean':
        values[field.name] = decodeField(field, submission, input) === true;
        break;
      case 'multiselect':
        values[field.name] = many(raw).filter((text) => text !== '');
        break;
      case 'list':
        values[field.name] = typeof raw === 'string' ? raw : many(raw).join('\n');
        break;
      case 'map': {
        const names = mapInputNames(input);
        const keys = many(submission[names.key]);
        const texts = many(submission[names.value]);
        const rows: FormMapRow[] = [];
        for (let row = 0; row < Math.max(keys.length, texts.length); row++) {
          const key = keys[row] ?? '';
          const value = texts[row] ?? '';
          if (key.trim() !== '' || value !== '') rows.push({ key, value });
        }
        values[field.name] = rows;
        break;
      }
      default:
        values[field.name] = last(raw) ?? '';
    }
  }
  return values;
}

const TRUE = new Set(['true', 'on', '1', 'yes']);
const FALSE = new Set(['false', 'off', '0', '', 'no']);

function decodeField(field: FormField, submission: FormSubmission, input: string): unknown {
  const raw = submission[input];
  switch (field.type) {
    case 'boolean': {
      const text = last(raw)?.trim().toLowerCase();
      if (text === undefined) return false;
      if (TRUE.has(text)) return true;
      if (FALSE.has(text)) return false;
      return last(raw);
    }
    case 'multiselect':
      return many(raw)
        .filter((text) => text !== '')
        .map((text) => choiceValue(field, text));
    case 'list': {
      const items = field.separator === 'lines' ? linesAsTyped(raw) : trimmedItems(raw);
      return items.length > 0 ? items : undefined;
    }
    case 'map': {
      const names = mapInputNames(input);
      const keys = many(submission[names.key]);
      const values = many(submission[names.value]);
      const map: Record<string, string> = {};
      for (let row = 0; row < Math.max(keys.length, values.length); row++) {
        const key = (keys[row] ?? '').trim();
        const value = values[row] ?? '';
        if (key !== '' || value !== '') map[key] = value;
      }
      return Object.keys(map).length > 0 ? map : undefined;
    }
    case 'number': {
      const text = last(raw)?.trim();
      if (!text) return undefined;
      return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : text;
    }
    case 'duration': {
      const text = last(raw)?.trim();
      if (!text) return undefined;
      return parseDuration(text, field.unit ?? 'ms') ?? text;
    }
    case 'select': {
      const text = last(raw);
      return text === undefined || text === '' ? undefined : choiceValue(field, text);
    }
    default: {
      const text = last(raw);
      return text === undefined || text === '' ? undefined : text;
    }
  }
}

/** Items split at line breaks and commas, trimmed, empty ones dropped. */
function trimmedItems(raw: string | readonly string[] | undefined): string[] {
  return (typeof raw === 'string' ? raw.split(/[\r\n,]+/) : many(raw)).map((item) => item.trim()).filter(Boolean);
}

/** Items split at line breaks only (a browser sends CRLF), each as typed; only empty lines are dropped. */
function linesAsTyped(raw: string | readonly string[] | undefined): string[] {
  return (typeof raw === 'string' ? raw.split(/\r\n|\r|\n/) : many(raw)).filter((item) => item !== '');
}

function last(raw: string | readonly string[] | undefined): string | undefined {
  return typeof raw === 'string' || raw === undefined ? raw : raw[raw.length - 1];
}

function many(raw: string | readonly string[] | undefined): string[] {
  return raw === undefined ? [] : typeof raw === 'string' ? [raw] : [...raw];
}

/** The typed value of the choice sent as `text`; text that is no choice goes on as it is (and is refused by validation). */
function choiceValue(field: FormField, text: string): FormScalar {
  const choice = field.choices?.find((candidate) => String(candidate.value) === text);
  return choice ? choice.value : text;
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type DurationUnit = keyof typeof UNIT_MS;

/**
 * "1500" (in `unit`), "90s", "1m30s", "2h", "250ms", "1.5h" → a number of `unit`s; null when it is not a
 * duration. The result may be fractional ("500ms" in seconds is 0.5): the config class decides.
 */
export function parseDuration(text: string, unit: 'ms' | 's'): number | null {
  const compact = text.replace(/\s+/g, '').toLowerCase();
  if (/^\d+(\.\d+)?$/.test(compact)) return Number(compact);
  const parts = [...compact.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== compact) return null;
  const ms = parts.reduce((total, part) => total + Number(part[1]) * UNIT_MS[part[2] as DurationUnit], 0);
  return ms / UNIT_MS[unit];
}

/** The shortest exact way to write `value` `unit`s: 90000 ms → "1m30s", 2000 ms → "2s", 1500 ms → "1s500ms", 0 → "0". */
export function formatDuration(value: number, unit: 'ms' | 's'): string {
  let ms = value * UNIT_MS[unit];
  if (!Number.isInteger(ms) || ms <= 0) return String(value);
  const parts: string[] = [];
  for (const name of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[name];
    if (ms >= size) {
      parts.push(`${Math.floor(ms / size)}${name}`);
      ms %= size;
    }
  }
  return parts.join('');
}
