import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * SPEC §13: an executable named by a channel made through the API must lie under `[alerting] script_dir`
 * (Zabbix's AlertScriptsPath), both as written (`..` resolved) and after following symlinks, so an API
 * token cannot make Pulse run /bin/sh or a link to it. Null when `file` is fine, else what is wrong.
 */
export function scriptDirProblem(file: string, scriptDir: string): string | null {
  const where = `${scriptDir} ([alerting] script_dir)`;
  let dir: string;
  try {
    dir = realpathSync(scriptDir);
  } catch {
    return `must name an executable under ${where}, which does not exist on this server`;
  }
  if (!path.isAbsolute(file) || !inside(path.resolve(scriptDir), path.resolve(file))) {
    return `must name an executable under ${where}; ${file} is outside it`;
  }
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return `must name an existing executable under ${where}; ${file} does not exist`;
  }
  if (!inside(dir, real)) return `must name an executable under ${where}; ${file} leads to ${real}, outside it`;
  if (!statSync(real).isFile()) return `must name an executable file; ${file} is not a file`;
  try {
    accessSync(real, constants.X_OK);
  } catch {
    return `must name an executable file; ${file} is not executable (chmod a+x)`;
  }
  return null;
}

function inside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
