/*
 * The plugin SDK's contracts. Plugins own protocol (how to talk to an HTTP server, an SMTP relay, /proc);
 * core owns policy: plugins never retry, never decide states or alerts, never touch the database.
 */

import type { Role } from '../runtime/roles.js';
import type { NetworkPolicy } from './network-policy.js';
import type { FormDescription } from './plugin-form.js';

export type PluginKind = 'check' | 'alerter' | 'collector';
/** An executable that can load plugins: `server`, `poller`, `agent`. */
export type PluginRole = Role;

export interface PluginLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
}

/** Handed to every plugin call: give up when `signal` aborts (the timeout, or shutdown). */
export interface PluginContext {
  signal: AbortSignal;
  timeoutMs: number;
  logger: PluginLogger;
  /**
   * Where the plugin may connect (alerters: `[alerting] allow_networks` / `deny_networks`). Alerters open
   * every connection through it (postForAlert does); without one, the built-in refusals apply.
   */
  network?: NetworkPolicy;
}

/**
 * The host's `[plugins]` settings, for a plugin that needs one: inject them with
 * `@Inject(PLUGIN_SETTINGS) settings: PluginSettings` (Optional in specs that build the class themselves).
 * Read-only; the same object for every plugin of the executable.
 */
export interface PluginSettings {
  /** `[plugins] dir`: where drop-in plugin folders are installed. */
  readonly dir: string;
  /** `[plugins] nagios_dirs` on the server and pollers: where Nagios-compatible plugins may be run from ([] on the agent). */
  readonly nagios_dirs: readonly string[];
}

/** The injection token of PluginSettings (Symbol.for, so it is the same symbol wherever it is asked for). */
export const PLUGIN_SETTINGS: unique symbol = Symbol.for('lillydoo-pulse.plugin-settings') as never;

/** What a plugin declares about itself, next to its class. */
export interface PluginMeta<C extends object = object> {
  /** Lowercase id, also the plugin's folder name: `port`, `http`, `snmp-trap`. */
  id: string;
  /** For people: `TCP port`. */
  title: string;
  /** Config class: class-validator decorators, defaults as initializers. Unknown keys are refused. */
  config: new () => C;
  /** A valid config, shown in docs and checked by the contract test. */
  example: Partial<C> & Record<string, unknown>;
  /**
   * Config keys that hold secrets: masked in forms, redacted in logs (for a map, each of its values). The
   * form marks the same fields secret.
   */
  secrets?: (keyof C & string)[];
  /**
   * Config keys that name an executable to run: channels made through the API may only name files under
   * `[alerting] script_dir`; the config file may name any path.
   */
  executables?: (keyof C & string)[];
  /** Every option as a form field (`<id>.form.ts`, made with defineForm): the console renders and decodes forms from it. */
  form: FormDescription;
  /**
   * The executables that load it. Default by kind: checks `['server', 'poller']`, alerters `['server']`,
   * collectors `['agent']`. Narrow it for a plugin that only makes sense in one place (a check that
   * needs the server's network, say); a role that does not load this kind at all is refused.
   */
  roles?: readonly PluginRole[];
}

// ---- checks -----------------------------------------------------------------------------------------

export type CheckStatus = 'up' | 'down' | 'warning';

export interface CheckResult {
  status: CheckStatus;
  /** Time the check itself took to get its answer, or null when there was no answer. */
  latencyMs: number | null;
  /** What was seen, in words: `HTTP 503`, `connection refused`, `3/3 packets lost`. */
  message: string;
  details?: Record<string, unknown>;
}

export interface CheckMeta<C extends object = object> extends PluginMeta<C> {
  /** How the monitor's target looks for this type, for forms and errors. */
  target: { label: string; placeholder: string };
}

export interface CheckPlugin<C extends object = object> {
  /** Null when `target` is acceptable, else what is wrong with it (shown as a 400 on the `target` field). */
  validateTarget(target: string): string | null;
  run(target: string, config: C, context: PluginContext): Promise<CheckResult>;
}

// ---- alerters ---------------------------------------------------------------------------------------

export type AlertEventKind = 'monitor' | 'alarm' | 'agent' | 'poller' | 'test' | 'digest';

/** A state change worth telling people about, as core hands it to alerters. */
export interface AlertEvent {
  kind: AlertEventKind;
  id: string;
  name: string;
  fromState: string;
  toState: string;
  /** True when the new state is the good one (up / ok). */
  recovered: boolean;
  incidentNumber: number | null;
  /** The reason in words. */
  message: string;
  /** Link into the console, built from `public_url`; null when that is not configured. */
  url: string | null;
  /** When the change happened (epoch ms). */
  at: number;
  /** Since when the previous state held (epoch ms), if known. */
  since: number | null;
  /** Per-source states for monitors. */
  sources?: { source: string; name: string; status: string; message: string }[];
  /** For kind `digest`: the changes it sums up, oldest first (sent instead of many single messages). */
  events?: AlertEvent[];
}

/**
 * How an alerter is set up in the server's config file, Lovebeat's way. Any alerter can be configured
 * there with a `[alerts.NAME.<id>]` table holding its options under the same names as in the API; this
 * adds the short forms: a key of `[alerts.NAME]` that makes the channel send through this alerter, and
 * server-wide sections its settings start from. The alerter's own config class checks every value, and a
 * refusal names the key as written in the file, with its line.
 */
export interface AlerterFileKeys<C extends object = object> {
  /** `[alerts.NAME] <key> = "…"`: Lovebeat's `mail`, `webhook`, `slack_channel`, `script` (lowercase, `_`)… */
  key: string;
  /** …and the option its value sets (`to`, `url`, `channel`, `path`). */
  option: keyof C & string;
  /**
   * Further `[alerts.NAME]` keys and the options they set (`snmp_version` → `version`); they apply to the
   * target `key` makes, which also takes the defaults of the options listed here.
   */
  options?: Record<string, keyof C & string>;
  /**
   * Server-wide sections this alerter owns (`mail` for `[mail]`), each key → the option it sets for every
   * channel sending through this alerter, from the file or the API (a channel's own setting wins). Keys
   * are also read from `PULSE_<SECTION>_<KEY>`; a section belongs to one plugin only.
   */
  sections?: Record<string, Record<string, keyof C & string>>;
}

export interface AlerterMeta<C extends object = object> extends PluginMeta<C> {
  /** Its keys in the server's config file (Lovebeat's); without it, only `[alerts.NAME.<id>]` tables name it. */
  file?: AlerterFileKeys<C>;
}

export interface AlerterPlugin<C extends object = object, M = unknown> {
  /** Pure: the message this event becomes. Golden-tested. */
  render(event: AlertEvent, config: C): M;
  /** Delivers it. Throw a PluginError with `temporary` set to say whether a retry could help. */
  send(message: M, config: C, context: PluginContext): Promise<void>;
}

// ---- collectors -------------------------------------------------------------------------------------

export interface MetricSample {
  /** Dotted name: `cpu.percent`, `disk.used`. */
  metric: string;
  value: number;
  labels?: Record<string, string>;
}

export interface CollectorMeta<C extends object = object> extends PluginMeta<C> {}

export interface CollectorPlugin<C extends object = object> {
  collect(config: C, context: PluginContext): Promise<MetricSample[]>;
}

// ---- errors -----------------------------------------------------------------------------------------

/** A failure a plugin reports on purpose. `temporary` tells core whether trying again later can help. */
export class PluginError extends Error {
  override name = 'PluginError';
  constructor(
    message: string,
    readonly temporary: boolean,
  ) {
    super(message);
  }
}
