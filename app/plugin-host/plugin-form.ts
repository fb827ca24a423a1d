/*
 * A plugin's form description: the fields from which the console renders the Add/Edit form of a monitor
 * type or alert channel, and decodes the submitted form back into the plugin's config (form-codec.ts).
 * Core never holds a per-plugin template: a new plugin brings its description in `<id>.form.ts`.
 */

/**
 * How a field is edited, and so how its submitted text becomes a config value:
 * - `text`, `textarea`: a string. `secret`: a string shown masked (passwords, keys, communities).
 * - `number`: a number (`step` 1 for whole numbers). `duration`: "90s", "1m30s", "2h" or a plain number in
 *   `unit`, stored as a number of `unit`.
 * - `boolean`: a checkbox (an unchecked box sends nothing: that is false).
 * - `select`: one of `choices`; `multiselect`: any of them (a list).
 * - `list`: a list of strings, one per line (or comma-separated, trimmed); with `separator: 'lines'` one per
 *   line only, each kept as typed (nagios arguments such as `100,20%`, TXT records with commas).
 * - `map`: an object of string keys to string values, edited as key/value rows (e.g. HTTP headers).
 */
export type FormFieldType = 'text' | 'textarea' | 'secret' | 'number' | 'duration' | 'boolean' | 'select' | 'multiselect' | 'list' | 'map';

export const FORM_FIELD_TYPES: readonly FormFieldType[] = [
  'text',
  'textarea',
  'secret',
  'number',
  'duration',
  'boolean',
  'select',
  'multiselect',
  'list',
  'map',
];

/** A value a choice stands for: the config gets this value, typed (true, not "true"). */
export type FormScalar = string | number | boolean;

export interface FormChoice {
  value: FormScalar;
  label: string;
}

export interface FormField {
  /** The config key; dotted for a key inside a nested object (`auth.user`). */
  name: string;
  type: FormFieldType;
  label: string;
  /** A sentence under the field. */
  help?: string;
  /**
   * What a new form shows. Taken from the config class by defineForm (so it is said once), except for a
   * field that `inherits` a server-wide setting: that one starts empty.
   */
  default?: unknown;
  /**
   * Never shown back: the form shows SECRET_MASK, and an edit that sends the mask keeps the stored value.
   * On a map, each value is the secret (the keys, e.g. header names, stay readable).
   */
  secret?: boolean;
  /** For select and multiselect. A choice with value "" means "not set" (the default applies). */
  choices?: readonly FormChoice[];
  /** The form asks for a value; validation by the config class still has the last word. */
  required?: boolean;
  placeholder?: string;
  /** For number and duration (in `unit`). */
  min?: number;
  max?: number;
  /** For number: 1 for whole numbers; absent for any number. */
  step?: number;
  /** For duration: the unit the config stores. */
  unit?: 'ms' | 's';
  /**
   * For list: `lines` splits the text at line breaks only and keeps each item as typed (spaces, commas);
   * without it, items are split at line breaks and commas and trimmed.
   */
  separator?: 'lines';
  /** A server-wide setting used when this field is left empty, e.g. `[mail] server`; the form shows it as the placeholder. */
  inherits?: string;
  /** Show the field only while another field has one of these values (e.g. SNMPv3 keys for version "3"). */
  when?: { field: string; in: readonly FormScalar[] };
}

export interface FormDescription {
  fields: readonly FormField[];
  /** A sentence above the fields, e.g. what the check does with its target. */
  help?: string;
}

/** A field as a plugin writes it: `name` is one of the config's keys (or a dotted path into one). */
export type FormFieldOf<C> = Omit<FormField, 'name'> & { name: (keyof C & string) | `${keyof C & string}.${string}` };

/**
 * A plugin's form, with each field's default read from its config class (a field that `inherits` a
 * server-wide setting, or says its own default, keeps that).
 */
export function defineForm<C extends object>(
  configClass: new () => C,
  fields: readonly FormFieldOf<C>[],
  options: { help?: string } = {},
): FormDescription {
  const defaults = new configClass();
  return {
    ...(options.help ? { help: options.help } : {}),
    fields: fields.map((field) => {
      if ('default' in field || field.inherits !== undefined) return { ...field };
      const value = readPath(defaults, field.name);
      return value === undefined ? { ...field } : { ...field, default: value };
    }),
  };
}

/** Whether the form shows the field masked. */
export function isSecretField(field: FormField): boolean {
  return field.type === 'secret' || field.secret === true;
}

/**
 * What is wrong with a description, checked against the plugin's config class: unknown types, names that
 * are no config key, duplicates, choices or units missing, secrets on values that cannot be masked.
 */
export function formProblems(description: FormDescription | undefined, configClass: new () => object): string[] {
  if (!description || !Array.isArray(description.fields)) return ['needs a form description ({ fields: [...] }, see defineForm)'];
  const keys = new Set(Object.keys(new configClass()));
  const names = new Set<string>();
  const problems: string[] = [];
  for (const field of description.fields) {
    const name = String(field.name);
    const where = `form field "${name}"`;
    if (!/^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/.test(name)) problems.push(`${where}: the name must be a config key, dotted for nested keys`);
    else if (!keys.has(name.split('.')[0]!)) problems.push(`${where}: is not an option of the config class`);
    if (names.has(name)) problems.push(`${where}: appears twice`);
    names.add(name);
    if (!FORM_FIELD_TYPES.includes(field.type)) problems.push(`${where}: type must be one of ${FORM_FIELD_TYPES.join(', ')}`);
    if (typeof field.label !== 'string' || field.label.trim() === '') problems.push(`${where}: needs a label`);
    if ((field.type === 'select' || field.type === 'multiselect') && !(field.choices && field.choices.length > 0))
      problems.push(`${where}: a ${field.type} needs choices`);
    if (field.type === 'duration' && field.unit !== 'ms' && field.unit !== 's')
      problems.push(`${where}: a duration needs unit "ms" or "s"`);
    if (field.secret && !['text', 'textarea', 'secret', 'map'].includes(field.type))
      problems.push(`${where}: only text values (or a map's values) can be secret`);
    if (field.separator !== undefined && (field.type !== 'list' || field.separator !== 'lines'))
      problems.push(`${where}: separator "lines" is the only one, and only for a list`);
  }
  for (const field of description.fields) {
    if (field.when && !names.has(field.when.field))
      problems.push(`form field "${field.name}": "when" names no field "${field.when.field}"`);
  }
  return problems;
}

/** `config.a.b` for the name "a.b"; undefined when any step is missing. */
export function readPath(config: unknown, name: string): unknown {
  let value: unknown = config;
  for (const key of name.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.prototype.hasOwnProperty.call(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Sets `config.a.b` for the name "a.b", making the objects on the way. */
export function writePath(config: Record<string, unknown>, name: string, value: unknown): void {
  const keys = name.split('.');
  let target = config;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) target[key] = {};
    target = target[key] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]!] = value;
}
