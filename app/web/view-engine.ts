import { Injectable, Logger } from '@nestjs/common';
import Handlebars from 'handlebars';
import path from 'node:path';
import { Clock } from '../runtime/clock.js';
import { listProjectFiles, readProjectFile } from '../runtime/project-files.js';
import { ConsoleSite } from './console-site.js';
import { StaticFiles } from './static-files.js';
import {
  formatDateTime,
  formatDay,
  formatDuration,
  formatLatency,
  formatPercent,
  formatTimeOfDay,
  isoDateTime,
  pluralize,
  relativeTime,
  stateView,
} from './view-helpers.js';

type Template = Handlebars.TemplateDelegate<Record<string, unknown>>;

/** A template that is missing, or one that would print raw HTML. */
export class ViewTemplateError extends Error {
  override name = 'ViewTemplateError';
}

/** `{{{x}}}` and `{{& x}}` print without escaping; no template may use them (values from users or the network). */
export function printsUnescaped(source: string): boolean {
  return /\{\{~?\{|\{\{~?\s*&/.test(source);
}

/**
 * Handlebars for the console: every template under views/ compiled once at start, in an isolated
 * Handlebars instance with the console's helpers. `views/layouts/<name>.hbs` are layouts (they print the
 * page through `{{body}}`, which the engine hands over already rendered), `views/pages/<feature>/<name>.hbs`
 * pages and `views/partials/<feature>/<name>.hbs` partials named `<feature>/<name>`.
 */
@Injectable()
export class ViewEngine {
  private readonly logger = new Logger('Console');
  private readonly handlebars = Handlebars.create();
  private readonly layouts = new Map<string, Template>();
  private readonly pages = new Map<string, Template>();
  private readonly partials = new Set<string>();

  constructor(site: ConsoleSite, assets: StaticFiles, clock: Clock) {
    this.registerHelpers(site, assets, clock);
    this.load();
  }

  renderPage(page: string, data: Record<string, unknown>, layout: string): string {
    const body = this.template(this.pages, page, 'page')(data);
    return this.template(this.layouts, layout, 'layout')({ ...data, body: new Handlebars.SafeString(body) });
  }

  renderPartial(partial: string, data: Record<string, unknown>): string {
    if (!this.partials.has(partial)) throw new ViewTemplateError(`no partial "${partial}" in views/partials`);
    return (this.handlebars.partials[partial] as Template)(data);
  }

  hasPartial(partial: string): boolean {
    return this.partials.has(partial);
  }

  private template(map: Map<string, Template>, name: string, kind: string): Template {
    const template = map.get(name);
    if (!template) throw new ViewTemplateError(`no ${kind} "${name}" in views/${kind}s`);
    return template;
  }

  private load(): void {
    const problems: string[] = [];
    const compile = (file: string): Template | null => {
      const source = readProjectFile(file).toString('utf8');
      if (printsUnescaped(source)) {
        problems.push(`${file}: prints unescaped HTML ({{{ }}} or {{& }}); use {{ }}`);
        return null;
      }
      return this.handlebars.compile(source, { strict: false, preventIndent: true });
    };
    const nameOf = (file: string, folder: string) => file.slice(folder.length + 1, -path.extname(file).length);
    for (const file of listProjectFiles('views/partials').filter((f) => f.endsWith('.hbs'))) {
      const template = compile(file);
      if (!template) continue;
      const name = nameOf(file, 'views/partials');
      this.handlebars.registerPartial(name, template);
      this.partials.add(name);
    }
    for (const file of listProjectFiles('views/pages').filter((f) => f.endsWith('.hbs'))) {
      const template = compile(file);
      if (template) this.pages.set(nameOf(file, 'views/pages'), template);
    }
    for (const file of listProjectFiles('views/layouts').filter((f) => f.endsWith('.hbs'))) {
      const template = compile(file);
      if (template) this.layouts.set(nameOf(file, 'views/layouts'), template);
    }
    if (problems.length > 0) throw new ViewTemplateError(`views refused:\n  ${problems.join('\n  ')}`);
    this.logger.debug?.(`views: ${this.layouts.size} layouts, ${this.pages.size} pages, ${this.partials.size} partials`);
  }

  private registerHelpers(site: ConsoleSite, assets: StaticFiles, clock: Clock): void {
    const value = (arg: unknown) => (typeof arg === 'object' && arg !== null && 'hash' in arg ? undefined : arg);
    const helpers: Record<string, Handlebars.HelperDelegate> = {
      /** `{{url 'tokens'}}` → the console URL under the base path. */
      url: (target: unknown) => site.url(typeof value(target) === 'string' ? (target as string) : ''),
      /** `{{static 'app.css'}}` → its content-hashed URL. */
      static: (name: string) => site.url(`static/${assets.publicName(name)}`),
      dateTime: (ms: number | null) => formatDateTime(ms),
      isoDate: (ms: number | null) => isoDateTime(ms),
      ago: (ms: number | null) => relativeTime(ms, clock.now()),
      duration: (ms: number | null) => formatDuration(ms),
      clockTime: (ms: number | null) => formatTimeOfDay(ms),
      utcDay: (ms: number | null) => formatDay(ms),
      percent: (value: number | null) => formatPercent(value),
      latency: (ms: number | null) => formatLatency(ms),
      round: (value: number) => (typeof value === 'number' ? String(Math.round(value)) : ''),
      times: (a: number, b: number) => a * b,
      plural: (count: number, singular: string, plural: unknown) =>
        pluralize(count, singular, typeof value(plural) === 'string' ? (plural as string) : undefined),
      stateLabel: (state: string) => stateView(state).label,
      stateTone: (state: string) => stateView(state).tone,
      eq: (a: unknown, b: unknown) => a === b,
      not: (a: unknown) => !a,
    };
    for (const [name, helper] of Object.entries(helpers)) this.handlebars.registerHelper(name, helper);
  }
}
