/**
 * Lovebeat's alarm patterns: `*` is any text (dots included), `$var` is one dotted segment that names the
 * alarm (`server-$name` with `application-name.$name.*`). A service belongs to an alarm when any include
 * matches and no exclude does; the alarm's name is the definition's name with its variables filled in.
 */

export interface AlarmDefinition {
  name: string;
  pattern: string;
  includes: string[];
  excludes: string[];
  alerts: string[];
  /** `config` definitions come from [[alarms]] on every start; `api` ones are stored in the database. */
  source: 'config' | 'api';
}

const VARIABLE = /\$([A-Za-z_][A-Za-z0-9_]*)/g;

function variablesOf(text: string): string[] {
  return [...text.matchAll(VARIABLE)].map((match) => match[1]!);
}

function globToRegExp(glob: string, capture: boolean): RegExp {
  let source = '';
  const seen = new Set<string>();
  let index = 0;
  while (index < glob.length) {
    const char = glob[index]!;
    if (char === '*') {
      source += '.*';
      index++;
      continue;
    }
    if (char === '$') {
      const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(glob.slice(index));
      if (variable) {
        const name = variable[1]!;
        if (!capture) source += '[^.]+';
        else if (seen.has(name)) source += `\\k<${name}>`;
        else source += `(?<${name}>[^.]+)`;
        seen.add(name);
        index += variable[0].length;
        continue;
      }
    }
    source += char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
    index++;
  }
  return new RegExp(`^${source}$`);
}

/** A service-name glob (`backup.*`) as a RegExp, for maintenance windows and other service filters. */
export function serviceGlob(glob: string): RegExp {
  return globToRegExp(glob, false);
}

/** Why a definition cannot work, in words for a config error or a 400; null when it is fine. */
export function alarmDefinitionProblem(definition: Pick<AlarmDefinition, 'name' | 'pattern' | 'includes' | 'excludes'>): string | null {
  const includes = includePatterns(definition);
  if (includes.length === 0) return 'an alarm needs a pattern, or includes = [patterns]';
  for (const pattern of [...includes, ...definition.excludes]) {
    if (pattern.length === 0 || pattern.length > 1024) return `pattern "${pattern.slice(0, 60)}" must be 1 to 1024 characters`;
  }
  const nameVariables = variablesOf(definition.name);
  for (const pattern of includes) {
    const captured = new Set(variablesOf(pattern));
    const missing = nameVariables.find((variable) => !captured.has(variable));
    if (missing) return `the name uses $${missing} but the pattern "${pattern}" does not contain $${missing}`;
  }
  return null;
}

function includePatterns(definition: Pick<AlarmDefinition, 'pattern' | 'includes'>): string[] {
  return [...(definition.pattern !== '' ? [definition.pattern] : []), ...definition.includes];
}

/** A definition ready to match service names. */
export class AlarmMatcher {
  private readonly includes: RegExp[];
  private readonly excludes: RegExp[];
  private readonly templated: boolean;

  constructor(readonly definition: AlarmDefinition) {
    this.includes = includePatterns(definition).map((pattern) => globToRegExp(pattern, true));
    this.excludes = definition.excludes.map((pattern) => globToRegExp(pattern, false));
    this.templated = variablesOf(definition.name).length > 0;
  }

  /** The name of the alarm this service belongs to under this definition, or null. */
  alarmFor(serviceName: string): string | null {
    for (const include of this.includes) {
      const match = include.exec(serviceName);
      if (!match) continue;
      if (this.excludes.some((exclude) => exclude.test(serviceName))) return null;
      if (!this.templated) return this.definition.name;
      const groups = match.groups ?? {};
      return this.definition.name.replace(VARIABLE, (whole, variable: string) => groups[variable] ?? whole);
    }
    return null;
  }
}
