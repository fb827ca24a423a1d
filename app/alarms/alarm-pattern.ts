import { globVariables, ServiceGlob } from '../runtime/service-glob.js';

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

/** Why a definition cannot work, in words for a config error or a 400; null when it is fine. */
export function alarmDefinitionProblem(definition: Pick<AlarmDefinition, 'name' | 'pattern' | 'includes' | 'excludes'>): string | null {
  const includes = includePatterns(definition);
  if (includes.length === 0) return 'an alarm needs a pattern, or includes = [patterns]';
  for (const pattern of [...includes, ...definition.excludes]) {
    if (pattern.length === 0 || pattern.length > 1024) return `pattern "${pattern.slice(0, 60)}" must be 1 to 1024 characters`;
  }
  const nameVariables = globVariables(definition.name);
  for (const pattern of includes) {
    const captured = new Set(globVariables(pattern));
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
  private readonly includes: ServiceGlob[];
  private readonly excludes: ServiceGlob[];
  private readonly templated: boolean;

  constructor(readonly definition: AlarmDefinition) {
    this.includes = includePatterns(definition).map((pattern) => new ServiceGlob(pattern));
    this.excludes = definition.excludes.map((pattern) => new ServiceGlob(pattern));
    this.templated = globVariables(definition.name).length > 0;
  }

  /** The name of the alarm this service belongs to under this definition, or null. */
  alarmFor(serviceName: string): string | null {
    for (const include of this.includes) {
      const values = this.templated ? include.match(serviceName) : include.test(serviceName) ? {} : null;
      if (!values) continue;
      if (this.excludes.some((exclude) => exclude.test(serviceName))) return null;
      if (!this.templated) return this.definition.name;
      return this.definition.name.replace(VARIABLE, (whole, variable: string) => values[variable] ?? whole);
    }
    return null;
  }
}
