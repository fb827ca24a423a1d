import { decodeForm, formValues, submittedValues, type FormSubmission, type FormValue } from '../plugin-host/form-codec.js';
import type { FormDescription } from '../plugin-host/plugin-form.js';
import { pluginFieldsView, unplacedErrors } from '../web/plugin-form-view.js';
import type { ChannelInput } from './alert-channels.service.js';

/** Input name prefix of the alerter's own fields: `settings.headers` is the setting `headers`, as the API names it. */
export const SETTINGS_PREFIX = 'settings.';

/** An alerter the form offers, with its form description. */
export interface AlerterChoice {
  id: string;
  title: string;
  form: FormDescription;
}

/** The Add/Edit channel form: what it shows and the errors of the last submission (keyed as the API's `fields`). */
export interface ChannelFormState {
  /** The channel's name when editing (it cannot change), null for a new one. */
  editing: string | null;
  name: string;
  type: string;
  isDefault: boolean;
  settings: Record<string, FormValue>;
  errors: Record<string, string>;
}

export function newChannelForm(alerter: AlerterChoice): ChannelFormState {
  return { editing: null, name: '', type: alerter.id, isDefault: false, settings: formValues(alerter.form, {}), errors: {} };
}

/** A stored channel as its edit form shows it: settings as the API shows them (secrets masked), so a mask sent back keeps the secret. */
export function storedChannelForm(
  channel: { name: string; default: boolean; targets: { type: string; settings: Record<string, unknown> }[] },
  alerter: AlerterChoice,
): ChannelFormState {
  const target = channel.targets.find((candidate) => candidate.type === alerter.id) ?? { settings: {} };
  return {
    editing: channel.name,
    name: channel.name,
    type: alerter.id,
    isDefault: channel.default,
    settings: formValues(alerter.form, target.settings),
    errors: {},
  };
}

const text = (value: unknown): string => {
  const last = Array.isArray(value) ? value[value.length - 1] : value;
  return typeof last === 'string' ? last.trim() : '';
};

/**
 * A submission as the API input it stands for (settings decoded with the alerter's form description),
 * and as the form shows it again when refused (values as typed).
 */
export function readChannelForm(
  body: FormSubmission,
  alerter: AlerterChoice | undefined,
  editing: string | null,
): { state: ChannelFormState; input: ChannelInput } {
  const name = editing ?? text(body.name);
  const type = alerter?.id ?? text(body.type);
  const isDefault = [body.default].flat().includes('true');
  const settings = alerter ? decodeForm(alerter.form, body, SETTINGS_PREFIX) : {};
  return {
    state: { editing, name, type, isDefault, settings: alerter ? submittedValues(alerter.form, body, SETTINGS_PREFIX) : {}, errors: {} },
    input: { name, type, settings, default: isDefault },
  };
}

/** What `views/partials/alerts/channel-form.hbs` draws. */
export function channelFormView(state: ChannelFormState, alerters: readonly AlerterChoice[]) {
  const alerter = alerters.find((candidate) => candidate.id === state.type);
  const fields = alerter
    ? pluginFieldsView(alerter.form, state.settings, state.errors, { prefix: SETTINGS_PREFIX, idPrefix: 'channel-' })
    : [];
  const otherErrors = [
    ...(alerter ? unplacedErrors(alerter.form, state.errors, SETTINGS_PREFIX) : []),
    ...Object.entries(state.errors)
      .filter(([field]) => field !== 'name' && field !== 'type' && field !== 'default' && !field.startsWith(SETTINGS_PREFIX))
      .map(([field, message]) => (field ? `${field}: ${message}` : message)),
  ];
  return {
    ...state,
    action: state.editing === null ? 'alerts/channels' : `alerts/channels/${encodeURIComponent(state.editing)}`,
    types: alerters.map((candidate) => ({ value: candidate.id, label: candidate.title, selected: candidate.id === state.type })),
    typeHelp: alerter?.form.help ?? null,
    fields,
    otherErrors,
    hasErrors: Object.keys(state.errors).length > 0,
  };
}
