import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** Debian's monitoring-plugins directory: where `[plugins] nagios_dirs` points unless the host says otherwise. */
export const DEFAULT_NAGIOS_DIRS: readonly string[] = ['/usr/lib/nagios/plugins'];

/**
 * Plugins from monitoring-plugins that run another command named in their arguments: allowing them would
 * let anyone who may create a monitor run any program, whatever the allowed directories hold.
 */
const COMMAND_WRAPPERS = new Set(['negate', 'urlize']);

const PLUGIN_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/;

export type ResolvedExecutable =
  | {
      ok: true;
      /** The real file (symlinks and `..` resolved) that is executed. */
      file: string;
      /** What the plugin sees as argv[0]: the path as found, so `check_ftp -> check_tcp` still acts as check_ftp. */
      argv0: string;
    }
  | { ok: false; problem: string };

/**
 * Finds the executable a nagios monitor's target names, inside the allowed directories only: a bare name
 * (`check_tcp`) is looked up in each directory in order; an absolute path must lie inside one of them
 * once symlinks and `..` are resolved. Missing, non-executable and outside files are refused in words.
 */
export function resolvePluginExecutable(target: string, allowedDirs: readonly string[]): ResolvedExecutable {
  const dirsText = allowedDirs.join(', ');
  const text = target.trim();
  if (text === '' || text.includes('\0'))
    return refuse(`must name a plugin in the allowed directories (${dirsText}), e.g. "check_tcp", or give its absolute path`);

  const realDirs = allowedDirs.flatMap((dir) => {
    const real = realPath(dir);
    return real === null ? [] : [real];
  });
  let candidate: string;
  if (text.includes('/')) {
    if (!path.isAbsolute(text)) return refuse(`must be a plugin name ("check_tcp") or an absolute path, not the relative path "${text}"`);
    candidate = text;
  } else {
    if (!PLUGIN_NAME.test(text)) return refuse(`"${text}" is not a plugin name (letters, digits, "_", ".", "+", "-")`);
    const found = allowedDirs.map((dir) => path.join(dir, text)).find((file) => realPath(file) !== null);
    if (found === undefined) return refuse(`no plugin "${text}" in the allowed directories (${dirsText})`);
    candidate = found;
  }

  // Judged by where the path points, so nothing is said about files outside the allowed directories.
  const written = path.normalize(candidate);
  const writtenInside = allowedDirs.some((dir) => isInside(written, path.resolve(dir))) || realDirs.some((dir) => isInside(written, dir));
  const outside = `"${text}" is outside the allowed plugin directories (${dirsText})`;
  const file = realPath(candidate);
  if (file === null) return refuse(writtenInside ? `"${text}" does not exist` : outside);
  if (!realDirs.some((dir) => isInside(file, dir))) return refuse(writtenInside ? `${outside}: it resolves to ${file}` : outside);
  if (COMMAND_WRAPPERS.has(path.basename(file)) || COMMAND_WRAPPERS.has(path.basename(candidate)))
    return refuse(`"${path.basename(candidate)}" runs another command given in its arguments and is not allowed`);
  if (!statSync(file).isFile()) return refuse(`"${text}" is not a file`);
  try {
    accessSync(file, constants.X_OK);
  } catch {
    return refuse(`"${text}" is not executable`);
  }
  return { ok: true, file, argv0: path.normalize(candidate) };
}

function refuse(problem: string): ResolvedExecutable {
  return { ok: false, problem };
}

function realPath(file: string): string | null {
  try {
    return realpathSync(file);
  } catch {
    return null;
  }
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative);
}
