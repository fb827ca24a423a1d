/**
 * The installers as the server serves them (SPEC §9): the role's script (installers/<role>/install.sh)
 * with the shared part (installers/common.sh) inlined where the script sources it, the role's systemd
 * unit (appliance/systemd/) where the shared part prints it, and the server's address as the default
 * --server. Pure: the sources come in as text.
 */

export interface InstallerSources {
  /** installers/<role>/install.sh */
  roleScript: string;
  /** installers/common.sh */
  common: string;
  /** appliance/systemd/lillydoo-pulse-<role>.service */
  unit: string;
}

/** The line of a role's script that sources the shared part; it is replaced by that part's text. */
export const COMMON_SOURCE_LINE = '. ../common.sh';
const UNIT_PLACEHOLDER = '@PULSE_UNIT@';
/** The here-document delimiter around the unit in installers/common.sh. */
const UNIT_DELIMITER = 'PULSE_UNIT_END';

/** `it's` → `'it'\''s'`: a single-quoted sh word whatever the text holds. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function replaceOnce(text: string, placeholder: string, value: string, where: string): string {
  const at = text.indexOf(placeholder);
  if (at < 0 || text.indexOf(placeholder, at + placeholder.length) >= 0) {
    throw new Error(`${where} must hold ${placeholder} exactly once`);
  }
  return text.slice(0, at) + value + text.slice(at + placeholder.length);
}

export function renderInstaller(sources: InstallerSources, options: { defaultServer: string | null }): string {
  const lines = sources.roleScript.split('\n');
  const sourceAt = lines.findIndex((line) => line.trim() === COMMON_SOURCE_LINE);
  if (sourceAt < 0) throw new Error(`the role's installer must source the shared part with "${COMMON_SOURCE_LINE}"`);
  const common = sources.common
    .replace(/^# shellcheck shell=sh\n/, '')
    .replace(/\n+$/, '')
    .replace('@PULSE_SERVED@', 'yes');
  if (sources.unit.split('\n').some((line) => line === UNIT_DELIMITER))
    throw new Error(`the unit must not hold a line "${UNIT_DELIMITER}"`);
  let rendered = [...lines.slice(0, sourceAt), common, ...lines.slice(sourceAt + 1)].join('\n');
  rendered = replaceOnce(rendered, '@PULSE_DEFAULT_SERVER@', shellQuote(options.defaultServer ?? ''), 'installers/common.sh');
  // Last, so nothing in the unit is ever taken for a placeholder.
  return replaceOnce(rendered, UNIT_PLACEHOLDER, sources.unit.replace(/\n+$/, ''), 'installers/common.sh');
}
