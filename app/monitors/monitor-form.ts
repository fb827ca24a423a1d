import { decodeForm, formValues, submittedValues, type FormSubmission, type FormValue } from '../plugin-host/form-codec.js';
import type { FormDescription } from '../plugin-host/plugin-form.js';
import { pluginFieldsView, unplacedErrors, type PluginFieldView } from '../web/plugin-form-view.js';

/** Input name prefix of the check type's own fields: `options.headers` is the option `headers`. */
export const OPTIONS_PREFIX = 'options.';

/** A check type as the form needs it: its title, how its target looks, and its form description. */
export interface CheckTypeChoice {
  id: string;
  title: string;
  target: { label: string; placeholder: string };
  form: FormDescription;
}

export interface AlertChoice {
  name: string;
  isDefault: boolean;
}

export interface PollerChoice {
  id: number;
  name: string;
  location: string | null;
  /** Heard from within the last 90 s: only active pollers can be added. */
  active: boolean;
}

/** What the form shows in its common fields, as text (what was stored, or what was typed). */
export interface MonitorFormValues {
  name: string;
  target: string;
  interval: string;
  timeout: string;
  retries: string;
  quorum: string;
  alerts: string[];
  pollers: number[];
}

/** The form's state: a new or stored monitor's values, or a refused submission with its errors. */
export interface MonitorFormState {
  /** The monitor being edited; null for a new one. */
  id: number | null;
  type: string;
  values: MonitorFormValues;
  /** The type's own fields (formValues or submittedValues). */
  options: Record<string, FormValue>;
  /** Field (`name`, `target`, `options.headers`) → message; '' for the submission as a whole. */
  errors: Record<string, string>;
}

/** The body a submitted form stands for, before validation (what the API's POST/PUT would get). */
export interface MonitorFormInput {
  name: string;
  type: string;
  target: string;
  interval?: number | string;
  timeout?: number | string;
  retries?: number | string;
  quorum?: number | string | null;
  pollers: (number | string)[];
  alerts: string[];
  options: Record<string, unknown>;
}

export const NEW_MONITOR_VALUES: MonitorFormValues = {
  name: '',
  target: '',
  interval: '60',
  timeout: '',
  retries: '1',
  quorum: '',
  alerts: [],
  pollers: [],
};

/** A new monitor of `type`: the plugin's defaults in its fields. */
export function newMonitorForm(type: CheckTypeChoice, values: Partial<MonitorFormValues> = {}): MonitorFormState {
  return { id: null, type: type.id, values: { ...NEW_MONITOR_VALUES, ...values }, options: formValues(type.form, {}), errors: {} };
}

/** A stored monitor as its edit form shows it (secrets masked by formValues). */
export function storedMonitorForm(
  monitor: {
    id: number;
    name: string;
    type: string;
    target: string;
    interval: number;
    timeout: number;
    retries: number;
    quorum: number | null;
    alerts: string[];
    pollers: number[];
    options: Record<string, unknown>;
  },
  type: CheckTypeChoice,
): MonitorFormState {
  return {
    id: monitor.id,
    type: monitor.type,
    values: {
      name: monitor.name,
      target: monitor.target,
      interval: String(monitor.interval),
      timeout: String(monitor.timeout),
      retries: String(monitor.retries),
      quorum: monitor.quorum === null ? '' : String(monitor.quorum),
      alerts: [...monitor.alerts],
      pollers: [...monitor.pollers],
    },
    options: formValues(type.form, monitor.options),
    errors: {},
  };
}

const last = (value: unknown): string | undefined => {
  const one = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof one === 'string' ? one : undefined;
};
const many = (value: unknown): string[] =>
  (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter((one): one is string => typeof one === 'string');
/** A whole number as a number; anything else as typed, so validation names it; blank as undefined. */
const wholeNumber = (text: string): number | string | undefined => (text === '' ? undefined : /^\d{1,9}$/.test(text) ? Number(text) : text);

/**
 * A submitted form: the values to show again if it is refused, and the body it stands for. The type's
 * own fields are decoded with its form description (decodeForm); a secret sent back as the mask stays
 * the mask, for the service to keep the stored value.
 */
export function readMonitorForm(
  submission: Record<string, unknown>,
  type: CheckTypeChoice | undefined,
  id: number | null,
): { state: MonitorFormState; input: MonitorFormInput } {
  const text = (name: string) => last(submission[name])?.trim() ?? '';
  const values: MonitorFormValues = {
    name: text('name'),
    target: text('target'),
    interval: text('interval'),
    timeout: text('timeout'),
    retries: text('retries'),
    quorum: text('quorum'),
    alerts: many(submission.alerts).filter((name) => name !== ''),
    pollers: many(submission.pollers)
      .filter((value) => /^\d{1,9}$/.test(value))
      .map(Number),
  };
  const form = submission as FormSubmission;
  const input: MonitorFormInput = {
    name: values.name,
    type: text('type'),
    target: values.target,
    interval: wholeNumber(values.interval),
    timeout: wholeNumber(values.timeout),
    retries: wholeNumber(values.retries),
    quorum: values.quorum === '' ? null : wholeNumber(values.quorum),
    pollers: many(submission.pollers).map((value) => (/^\d{1,9}$/.test(value) ? Number(value) : value)),
    alerts: values.alerts,
    options: type ? decodeForm(type.form, form, OPTIONS_PREFIX) : {},
  };
  const options = type ? submittedValues(type.form, form, OPTIONS_PREFIX) : {};
  return { state: { id, type: input.type, values, options, errors: {} }, input };
}

/** What `views/partials/monitors/form.hbs` renders. */
export function monitorFormView(
  state: MonitorFormState,
  context: { types: readonly CheckTypeChoice[]; alerts: readonly AlertChoice[]; pollers: readonly PollerChoice[] },
) {
  const type = context.types.find((candidate) => candidate.id === state.type) ?? context.types[0]!;
  const errors = state.errors;
  const fields: PluginFieldView[] = pluginFieldsView(type.form, state.options, errors, {
    prefix: OPTIONS_PREFIX,
    idPrefix: 'monitor-option-',
  });
  const knownAlerts = new Set(context.alerts.map((alert) => alert.name));
  const shownPollers = new Map(context.pollers.filter((poller) => poller.active).map((poller) => [poller.id, poller]));
  // A poller the monitor already uses stays listed (ticked) while it is offline, so saving does not drop it unseen.
  for (const id of state.values.pollers) {
    if (!shownPollers.has(id))
      shownPollers.set(
        id,
        context.pollers.find((poller) => poller.id === id) ?? { id, name: `Poller ${id}`, location: null, active: false },
      );
  }
  const commonFields = new Set(['name', 'type', 'target', 'interval', 'timeout', 'retries', 'quorum', 'alerts', 'pollers']);
  const other = [
    ...(errors[''] ? [errors['']] : []),
    ...Object.entries(errors)
      .filter(([field]) => field !== '' && !commonFields.has(field) && !field.startsWith(OPTIONS_PREFIX))
      .map(([field, message]) => `${field}: ${message}`),
    ...unplacedErrors(type.form, errors, OPTIONS_PREFIX),
  ];
  return {
    id: state.id,
    editing: state.id !== null,
    type: type.id,
    typeTitle: type.title,
    types: context.types.map((candidate) => ({ value: candidate.id, label: candidate.title, selected: candidate.id === type.id })),
    values: state.values,
    target: type.target,
    typeHelp: type.form.help ?? null,
    fields,
    errors,
    otherErrors: other,
    hasErrors: Object.keys(errors).length > 0,
    alerts: [
      ...context.alerts.map((alert) => ({
        name: alert.name,
        isDefault: alert.isDefault,
        checked: state.values.alerts.includes(alert.name),
      })),
      // A name that no longer exists stays visible, so the error next to it makes sense.
      ...state.values.alerts.filter((name) => !knownAlerts.has(name)).map((name) => ({ name, isDefault: false, checked: true })),
    ],
    defaultAlerts: context.alerts.filter((alert) => alert.isDefault).map((alert) => alert.name),
    pollers: [...shownPollers.values()].map((poller) => ({ ...poller, checked: state.values.pollers.includes(poller.id) })),
  };
}

export type MonitorFormView = ReturnType<typeof monitorFormView>;
