import type { ConfigRest } from '../config/config-core.js';
import type { AlertChannelTable } from '../config/config.schema.js';
import { alerterFileProblems } from '../plugin-host/alerter-file-keys.js';
import type { AlerterFileKeys, AlerterMeta } from '../plugin-host/contracts.js';
import { validatePluginConfig } from '../plugin-host/plugin-config.js';
import { readPath } from '../plugin-host/plugin-form.js';
import { declaredMeta, type PluginModuleRef } from '../plugin-host/plugin-module-ref.js';
import type { AlertChannel, ChannelTarget } from './channel-targets.js';

/** An alerter as the config reader sees it: its id, folder and declaration (read before Nest starts). */
export interface AlerterDeclaration {
  id: string;
  folder: string;
  meta: AlerterMeta<any>;
}

/**
 * What the config file says about alerting, read with the alerters' own declarations: the channels of
 * `[alerts.NAME]`, and the options each alerter's server-wide sections (`[mail]`, `[mailgun]`, `[slack]`)
 * set for every channel sending through it.
 */
export class AlertFileConfig {
  constructor(
    readonly channels: readonly AlertChannel[],
    private readonly serverWide: ReadonlyMap<string, Readonly<Record<string, unknown>>>,
    /** Each alerter section (`mail`) as the server runs with it: every key it has, set or default. */
    readonly sections: ReadonlyMap<string, AlerterSection> = new Map(),
  ) {}

  /** No channels, no server-wide settings: a server started without a config file's alerting. */
  static readonly EMPTY = new AlertFileConfig([], new Map());

  /** The options an alerter starts from before a channel's own settings (`[mail] server` → `server`). */
  serverWideSettings(type: string): Record<string, unknown> {
    return { ...this.serverWide.get(type) };
  }
}

/** One server-wide section an alerter owns (`[mail]`), for the console's Settings page. */
export interface AlerterSection {
  /** The alerter's id. */
  alerter: string;
  /** Every key of the section, with what the file or the environment set, else the config class's default. */
  values: Readonly<Record<string, unknown>>;
  /** The keys whose values are secrets (the alerter's `secrets`, by the option each key sets). */
  secretKeys: readonly string[];
}

/** The alerters among the loaded plugin modules, with their declarations. */
export function alerterDeclarations(plugins: readonly PluginModuleRef[]): AlerterDeclaration[] {
  return plugins.flatMap((ref) => {
    const meta = ref.kind === 'alerter' ? declaredMeta('alerter', ref.module) : undefined;
    return meta ? [{ id: ref.id, folder: ref.folder, meta: meta as AlerterMeta<any> }] : [];
  });
}

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/** A TOML value as plain JSON-like data (the parser's tables have no prototype). */
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (isTable(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

/**
 * Reads `[alerts.NAME]` tables and the alerters' sections, checking every value with the alerter's own
 * config class. Problems go to `rest` in the loader's words (`alerts.ops.webhook = "ftp://x" (line 7):
 * must be an http:// or https:// URL`); `rest.settle()` throws them all together.
 */
export function readAlertFileConfig(
  tables: Readonly<Record<string, AlertChannelTable>>,
  rest: ConfigRest,
  alerters: readonly AlerterDeclaration[],
): AlertFileConfig {
  const usable = usableDeclarations(alerters, rest);
  const serverWide = new Map<string, Record<string, unknown>>();
  const sections = new Map<string, AlerterSection>();
  for (const alerter of usable) serverWide.set(alerter.id, readSections(alerter, rest, sections));
  const reader = new ChannelReader(usable, serverWide, rest);
  const channels = Object.entries(tables).flatMap(([name, table]) => reader.read(name, table) ?? []);
  return new AlertFileConfig(channels, serverWide, sections);
}

/** Declarations that are well-formed and clash with no other; the rest are refused naming their folders. */
function usableDeclarations(alerters: readonly AlerterDeclaration[], rest: ConfigRest): AlerterDeclaration[] {
  const keyOwners = new Map<string, string>();
  const sectionOwners = new Map<string, string>();
  return alerters.filter((alerter) => {
    const problems = typeof alerter.meta.config === 'function' ? alerterFileProblems(alerter.meta.file, alerter.meta.config) : [];
    const file = alerter.meta.file;
    if (problems.length === 0 && file) {
      for (const key of [file.key, ...Object.keys(file.options ?? {})]) {
        const owner = keyOwners.get(key);
        if (owner) problems.push(`[alerts.NAME] key "${key}" is declared by ${owner} too`);
        else keyOwners.set(key, alerter.folder);
      }
      for (const section of Object.keys(file.sections ?? {})) {
        const owner = sectionOwners.get(section);
        if (owner) problems.push(`the section [${section}] is declared by ${owner} too`);
        else sectionOwners.set(section, alerter.folder);
      }
    }
    for (const problem of problems) rest.refuse(`${alerter.folder}: ${problem}`);
    return problems.length === 0;
  });
}

const isSecret = (alerter: AlerterDeclaration, field: string) => (alerter.meta.secrets ?? []).includes(field.split('.')[0]!);

/**
 * An alerter's server-wide sections: the options they set (only what the file or the environment sets;
 * the config class has the defaults), each value checked by the config class and refused under its
 * section key.
 */
function readSections(alerter: AlerterDeclaration, rest: ConfigRest, shown: Map<string, AlerterSection>): Record<string, unknown> {
  const sections = alerter.meta.file?.sections ?? {};
  const defaults = new alerter.meta.config() as Table;
  const settings: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  for (const [section, keys] of Object.entries(sections)) {
    const keyDefaults = Object.fromEntries(Object.entries(keys).map(([key, field]) => [key, defaults[field]]));
    const set = rest.claimSection(section, keyDefaults, alerter.folder);
    for (const [key, value] of Object.entries(set ?? {})) {
      const field = keys[key]!;
      settings[field] = plain(value);
      origins.set(field, `${section}.${key}`);
    }
    if (set) {
      const secretKeys = Object.entries(keys).flatMap(([key, field]) => (isSecret(alerter, field) ? [key] : []));
      shown.set(section, { alerter: alerter.id, values: { ...keyDefaults, ...(plain(set) as Table) }, secretKeys });
    }
  }
  for (const problem of problemsOf(alerter, settings)) {
    const origin = origins.get(problem.field.split('.')[0]!);
    if (origin) rest.error(origin, readPath(settings, problem.field), problem.message, isSecret(alerter, problem.field));
  }
  return settings;
}

function problemsOf(alerter: AlerterDeclaration, settings: Record<string, unknown>) {
  const result = validatePluginConfig(alerter.meta.config, settings);
  return result.ok ? [] : result.errors;
}

/** One `[alerts.NAME]` table at a time: its targets in the order their keys are written. */
class ChannelReader {
  private readonly byId: Map<string, AlerterDeclaration>;
  /** `[alerts.NAME]` key → the alerter declaring it, and whether it is the key that makes a target. */
  private readonly byKey = new Map<string, { alerter: AlerterDeclaration; main: boolean }>();

  constructor(
    private readonly alerters: readonly AlerterDeclaration[],
    private readonly serverWide: ReadonlyMap<string, Record<string, unknown>>,
    private readonly rest: ConfigRest,
  ) {
    this.byId = new Map(alerters.map((alerter) => [alerter.id, alerter]));
    for (const alerter of alerters) {
      const file = alerter.meta.file;
      if (!file) continue;
      this.byKey.set(file.key, { alerter, main: true });
      for (const key of Object.keys(file.options ?? {})) this.byKey.set(key, { alerter, main: false });
    }
  }

  read(name: string, table: Table): AlertChannel | null {
    const where = `alerts.${name}`;
    const targets: ChannelTarget[] = [];
    let isDefault = false;
    let attempted = false;
    /** Alerters this channel already names, in any of the three forms: each may appear once. */
    const named = new Set<string>();
    const once = (alerter: AlerterDeclaration, key: string): boolean => {
      if (!named.has(alerter.id)) return (named.add(alerter.id), true);
      this.rest.refuse(
        `${where}.${key} (${this.rest.where(`${where}.${key}`)}): the channel already sends through ${alerter.id}; give its options in one place`,
      );
      return false;
    };
    for (const [key, value] of Object.entries(table)) {
      const declared = this.byKey.get(key);
      if (key === 'default') {
        if (typeof value === 'boolean') isDefault = value;
        else this.rest.error(`${where}.default`, value, 'must be true or false');
      } else if (key === 'type') {
        attempted = true;
        const alerter = this.typed(where, value, table.options);
        if (alerter && once(alerter, key)) {
          const target = this.fromTable(`${where}.options`, alerter, isTable(table.options) ? table.options : {});
          if (target) targets.push(target);
        }
      } else if (key === 'options') {
        if (!('type' in table)) this.rest.refuse(`${where}: options need a type (the alerter they are for, e.g. type = "webhook")`);
      } else if (isTable(value) && this.byId.has(key)) {
        attempted = true;
        const alerter = this.byId.get(key)!;
        if (once(alerter, key)) {
          const target = this.fromTable(`${where}.${key}`, alerter, value);
          if (target) targets.push(target);
        }
      } else if (declared) {
        const makesTarget = declared.alerter.meta.file!.key in table;
        if (makesTarget) attempted = true;
        // The alerter's keys are read together, at the first of them.
        if (named.has(declared.alerter.id) && !this.firstKeyOf(declared.alerter, table, key)) continue;
        if (!once(declared.alerter, key)) continue;
        const target = this.fromKeys(where, declared.alerter, table, makesTarget);
        if (target) targets.push(target);
      } else {
        this.rest.warnUnknown(`${where}.${key}`);
      }
    }
    if (!attempted) {
      const keys = this.alerters.flatMap((alerter) => (alerter.meta.file ? [alerter.meta.file.key] : []));
      this.rest.refuse(
        `${where} (${this.rest.where(where)}): names no way to send; give one of ${keys.join(', ')}, or type = "<alerter>" with its options (${this.installed()})`,
      );
    }
    return { name, source: 'config', isDefault, targets };
  }

  /** Pulse's `type = "<alerter>"` (with `options`): the alerter, or null when refused. */
  private typed(where: string, type: unknown, options: unknown): AlerterDeclaration | null {
    if (typeof type !== 'string' || !/^[a-z][a-z0-9-]{0,31}$/.test(type)) {
      this.rest.error(`${where}.type`, type, 'must be the id of an alerter plugin, e.g. "webhook"');
      return null;
    }
    const alerter = this.byId.get(type);
    if (!alerter) {
      this.rest.refuse(`${where} (${type}): no alerter plugin "${type}" is installed (installed: ${this.installed()})`);
      return null;
    }
    if (options !== undefined && !isTable(options)) {
      this.rest.error(`${where}.options`, options, 'must be a table of the alerter\'s settings, e.g. options = { topic = "ops" }');
      return null;
    }
    return alerter;
  }

  /** Whether `key` is the first of the alerter's keys written in the table (where they are all read). */
  private firstKeyOf(alerter: AlerterDeclaration, table: Table, key: string): boolean {
    const file = alerter.meta.file!;
    const keys = new Set([file.key, ...Object.keys(file.options ?? {})]);
    return Object.keys(table).find((candidate) => keys.has(candidate)) === key;
  }

  private installed(): string {
    return [...this.byId.keys()].sort().join(', ');
  }

  /**
   * Lovebeat's short form: `mail = "…"` sets the alerter's main option, Pulse's further keys
   * (`snmp_version`) its others, which take the config class's defaults when left out. Null when no
   * target is made (only further keys given: checked, but nothing to send through) or a value is invalid.
   */
  private fromKeys(where: string, alerter: AlerterDeclaration, table: Table, makesTarget: boolean): ChannelTarget | null {
    const file = alerter.meta.file as AlerterFileKeys<any>;
    const defaults = new alerter.meta.config() as Table;
    const settings: Record<string, unknown> = {};
    const origins = new Map<string, string>();
    const give = (key: string, field: string) => {
      if (!(key in table)) return;
      settings[field] = plain(table[key]);
      origins.set(field, key);
    };
    give(file.key, file.option);
    for (const [key, field] of Object.entries(file.options ?? {})) {
      give(key, field);
      if (makesTarget && !(field in settings)) settings[field] = defaults[field];
    }
    const fromSections = this.serverWide.get(alerter.id) ?? {};
    let valid = true;
    for (const problem of problemsOf(alerter, { ...fromSections, ...settings })) {
      const field = problem.field.split('.')[0]!;
      const origin = origins.get(field);
      if (origin) {
        this.rest.error(`${where}.${origin}`, table[origin], problem.message, isSecret(alerter, field));
        valid = false;
      } else if (makesTarget && !(field in fromSections)) {
        const section = sectionKeyFor(file, field);
        this.rest.error(
          `${where}.${file.key}`,
          table[file.key],
          `the ${alerter.id} alerter also needs ${field}${section ? ` (set [${section.section}] ${section.key})` : ''}: ${problem.message}`,
          isSecret(alerter, file.option),
        );
        valid = false;
      }
      // Otherwise only further keys were given without the main one: nothing is sent, what was written is checked.
    }
    return makesTarget && valid ? { type: alerter.id, settings } : null;
  }

  /**
   * `[alerts.NAME.<alerter>]`, or `type` with `options`: the alerter's options under the same names as in
   * the API; `prefix` is where they are written (`alerts.ops.webhook`, `alerts.ops.options`).
   */
  private fromTable(prefix: string, alerter: AlerterDeclaration, table: Table): ChannelTarget | null {
    const options = new Set(Object.keys(new alerter.meta.config()));
    const settings: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(table)) {
      if (options.has(key)) settings[key] = plain(value);
      else this.rest.warnUnknown(`${prefix}.${key}`);
    }
    const fromSections = this.serverWide.get(alerter.id) ?? {};
    let valid = true;
    for (const problem of problemsOf(alerter, { ...fromSections, ...settings })) {
      const field = problem.field.split('.')[0]!;
      if (field in fromSections && !(field in settings)) continue;
      const section = alerter.meta.file ? sectionKeyFor(alerter.meta.file, field) : null;
      const message = !(field in settings) && section ? `${problem.message} (or set [${section.section}] ${section.key})` : problem.message;
      this.rest.error(
        `${prefix}.${problem.field}`,
        readPath({ ...new alerter.meta.config(), ...settings }, problem.field),
        message,
        isSecret(alerter, field),
      );
      valid = false;
    }
    return valid ? { type: alerter.id, settings } : null;
  }
}

/** The server-wide section key that sets `field`, if the alerter declares one. */
function sectionKeyFor(file: AlerterFileKeys<any>, field: string): { section: string; key: string } | null {
  for (const [section, keys] of Object.entries(file.sections ?? {})) {
    for (const [key, option] of Object.entries(keys)) if (option === field) return { section, key };
  }
  return null;
}
