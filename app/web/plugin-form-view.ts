import { mapInputNames, type FormMapRow, type FormValue } from '../plugin-host/form-codec.js';
import { isSecretField, type FormDescription, type FormField, type FormFieldType } from '../plugin-host/plugin-form.js';
import { SECRET_MASK } from '../plugin-host/plugin-secrets.js';

/** One plugin form field ready for `views/partials/console/plugin-field.hbs`. */
export interface PluginFieldView {
  /** The config key (`headers`, `auth.user`). */
  key: string;
  kind: FormFieldType;
  /** Element id of the input (or of the group, for checkboxes and maps). */
  id: string;
  /** Input name: the prefix and the key (`options.headers`). */
  inputName: string;
  label: string;
  help: string | null;
  placeholder: string;
  required: boolean;
  /** Text for inputs, textareas (lists one per line) and the selected choice. */
  text: string;
  checked: boolean;
  choices: { value: string; label: string; selected: boolean }[];
  /** A map's rows, and the input names each row uses. */
  rows: FormMapRow[];
  rowKeyName: string;
  rowValueName: string;
  /** Secrets (and a map's secret values) are password inputs; `stored` says one is kept when left as is. */
  secret: boolean;
  stored: boolean;
  min: number | null;
  max: number | null;
  step: string | null;
  unit: string | null;
  /** Shown only while another field has one of these values: that field's input name, the values as JSON. */
  when: { inputName: string; values: string } | null;
  /** Hidden now (its condition does not hold for the values shown). */
  hidden: boolean;
  error: string | null;
}

export interface PluginFieldsOptions {
  /** Put before each input name (`options.`), as decodeForm's prefix. */
  prefix: string;
  /** Put before each element id, so two forms on one page never share ids. */
  idPrefix: string;
}

const UNIT_WORDS = { ms: 'milliseconds, or e.g. 800ms, 2s', s: 'seconds, or e.g. 90s, 5m' } as const;

/**
 * The fields of a plugin's form description as the console renders them, with the values to show
 * (formValues() of what is stored, or submittedValues() of a refused submission) and the errors of the
 * last submission (keyed `<prefix><key>`, as the API's `fields` name them). Shared by every page that
 * edits a plugin's config: monitors' checks, alert channels' alerters.
 */
export function pluginFieldsView(
  description: FormDescription,
  values: Record<string, FormValue>,
  errors: Record<string, string>,
  options: PluginFieldsOptions,
): PluginFieldView[] {
  const byName = new Map(description.fields.map((field) => [field.name, field]));
  return description.fields.map((field) => {
    const value = values[field.name];
    const id = `${options.idPrefix}${field.name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    const inputName = `${options.prefix}${field.name}`;
    const secret = isSecretField(field);
    const names = mapInputNames(inputName);
    const controller = field.when ? byName.get(field.when.field) : undefined;
    const text = typeof value === 'string' ? value : Array.isArray(value) && field.type === 'list' ? (value as string[]).join('\n') : '';
    const selected = new Set(Array.isArray(value) ? (value as unknown[]).map(String) : [text]);
    return {
      key: field.name,
      kind: field.type,
      id,
      inputName,
      label: field.label,
      help: helpOf(field),
      placeholder: field.placeholder ?? (field.inherits ? `server setting ${field.inherits}` : ''),
      required: field.required === true,
      text,
      checked: value === true,
      choices: (field.choices ?? []).map((choice) => ({
        value: String(choice.value),
        label: choice.label,
        selected: selected.has(String(choice.value)),
      })),
      rows: field.type === 'map' && Array.isArray(value) ? (value as FormMapRow[]) : [],
      rowKeyName: names.key,
      rowValueName: names.value,
      secret,
      stored:
        secret && (text === SECRET_MASK || (Array.isArray(value) && (value as FormMapRow[]).some((row) => row.value === SECRET_MASK))),
      min: field.min ?? null,
      max: field.max ?? null,
      step: field.step === undefined ? (field.type === 'number' ? 'any' : null) : String(field.step),
      unit: field.type === 'duration' ? (field.unit ?? 'ms') : null,
      when: field.when ? { inputName: `${options.prefix}${field.when.field}`, values: JSON.stringify(field.when.in.map(String)) } : null,
      hidden: field.when !== undefined && controller !== undefined && !conditionHolds(field.when.in, values[controller.name]),
      error: errors[inputName] ?? null,
    };
  });
}

/** Errors that belong to none of these fields (shown above the form, so none is lost). */
export function unplacedErrors(description: FormDescription, errors: Record<string, string>, prefix: string): string[] {
  const names = new Set(description.fields.map((field) => `${prefix}${field.name}`));
  return Object.entries(errors)
    .filter(([field]) => field.startsWith(prefix) && !names.has(field))
    .map(([field, message]) => `${field.slice(prefix.length)}: ${message}`);
}

function conditionHolds(allowed: readonly unknown[], value: FormValue | undefined): boolean {
  const current = value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
  return allowed.some((candidate) => current.includes(String(candidate)));
}

function helpOf(field: FormField): string | null {
  const parts = [field.help?.trim()].filter((part): part is string => Boolean(part));
  if (field.type === 'duration') parts.push(`In ${UNIT_WORDS[field.unit ?? 'ms']}.`);
  if (field.type === 'list') parts.push('One per line.');
  if (field.inherits) parts.push(`Empty: the server-wide ${field.inherits} applies.`);
  if (isSecretField(field)) parts.push(field.type === 'map' ? 'Values are kept secret.' : 'Kept secret: never shown again.');
  return parts.length > 0 ? parts.join(' ') : null;
}
