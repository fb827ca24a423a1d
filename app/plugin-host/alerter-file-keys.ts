import type { AlerterFileKeys } from './contracts.js';

/** Keys of the config file an alerter may declare: lowercase, digits and `_` (Lovebeat's spelling). */
const FILE_KEY = /^[a-z][a-z0-9_]{0,63}$/;

/** `[alerts.NAME] default = true` is the alerts feature's own key. */
export const RESERVED_CHANNEL_KEYS: readonly string[] = ['default'];

/**
 * What is wrong with an alerter's `file` declaration on its own: keys that cannot be written in the file,
 * options that are no field of its config class, a key used twice. (Clashes between alerters are the
 * config reader's to find: it sees them all.)
 */
export function alerterFileProblems(file: AlerterFileKeys<any> | undefined, configClass: new () => object): string[] {
  if (file === undefined) return [];
  if (typeof file !== 'object' || file === null) return ['file must be { key, option, options?, sections? }'];
  const fields = new Set(Object.keys(new configClass()));
  const problems: string[] = [];
  const fieldProblem = (where: string, field: unknown) => {
    if (typeof field !== 'string' || !fields.has(field))
      problems.push(`${where} names ${JSON.stringify(field)}, which is no option of its config class`);
  };
  const keyProblem = (where: string, key: unknown) => {
    if (typeof key !== 'string' || !FILE_KEY.test(key))
      problems.push(`${where} ${JSON.stringify(key)} must be lowercase letters, digits and "_"`);
    else if (RESERVED_CHANNEL_KEYS.includes(key)) problems.push(`${where} "${key}" is taken by [alerts.NAME] itself`);
  };
  keyProblem('file.key', file.key);
  fieldProblem(`file.key "${String(file.key)}"`, file.option);
  const keys = new Set([file.key]);
  for (const [key, field] of Object.entries(file.options ?? {})) {
    keyProblem('file.options key', key);
    if (keys.has(key)) problems.push(`file.options: "${key}" is declared twice`);
    keys.add(key);
    fieldProblem(`file.options "${key}"`, field);
  }
  for (const [section, keysOfSection] of Object.entries(file.sections ?? {})) {
    keyProblem('file.sections name', section);
    for (const [key, field] of Object.entries(keysOfSection ?? {})) {
      keyProblem(`file.sections.${section} key`, key);
      fieldProblem(`file.sections.${section} "${key}"`, field);
    }
  }
  return problems;
}
