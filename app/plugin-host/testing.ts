/**
 * The plugin SDK's testing entry: what plugin specs and the contract test need beyond the SDK itself.
 * Plugin specs import from here, the SDK (`app/plugin-host/index.js`) and `test/` (peers, support,
 * fixtures) — nothing else of app/ (the contract test checks).
 */
import { mapInputNames, type FormSubmission, type FormValue } from './form-codec.js';
import type { FormDescription } from './plugin-form.js';

export { createPluginContext } from './plugin-context.js';

/**
 * What a browser submits for a form rendered from `values` (formValues()): a checked box sends "true", an
 * unchecked one nothing; a multiselect its selected values; a map one key and one value input per row.
 */
export function encodeForm(description: FormDescription, values: Record<string, FormValue>, prefix = ''): FormSubmission {
  const submission: Record<string, string | string[]> = {};
  for (const field of description.fields) {
    const value = values[field.name];
    const input = `${prefix}${field.name}`;
    if (field.type === 'boolean') {
      if (value === true) submission[input] = 'true';
    } else if (field.type === 'map') {
      const rows = Array.isArray(value) ? (value as { key: string; value: string }[]) : [];
      const names = mapInputNames(input);
      submission[names.key] = rows.map((row) => row.key);
      submission[names.value] = rows.map((row) => row.value);
    } else if (field.type === 'multiselect') {
      submission[input] = Array.isArray(value) ? (value as string[]) : [];
    } else {
      submission[input] = typeof value === 'string' ? value : '';
    }
  }
  return submission;
}
