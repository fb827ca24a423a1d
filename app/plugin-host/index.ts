/**
 * The plugin SDK: the only part of app/ that plugins import (their specs also use `./testing.js`). A plugin
 * folder holds `index.ts` (default-exports its Nest module), `<id>.<kind>.ts`, `<id>.config.ts`,
 * `<id>.form.ts` (its form description), a spec and a README.
 */
export * from './contracts.js';
export { Alerter, Check, Collector } from './decorators.js';
export { validatePluginConfig, type ConfigValidation, type FieldError } from './plugin-config.js';
export { parseHostPort, formatHostPort } from './targets.js';
export { alertHeadline, cleanLine, eventLines, formatTime, stateLabel } from './alert-text.js';
export { ANSWER_LIMIT_BYTES, postForAlert } from './http-delivery.js';
export { AddressRefusedError, DEFAULT_NETWORK_POLICY, NetworkPolicy } from './network-policy.js';
export { describeNetworkError, roundMs } from './network-errors.js';
export { abortableCheck, noAnswer } from './abortable-check.js';
export { loadOnce } from './load-once.js';
export { keepMaskedSecrets, maskSecrets, SECRET_MASK } from './plugin-secrets.js';
export {
  defineForm,
  formProblems,
  isSecretField,
  FORM_FIELD_TYPES,
  type FormChoice,
  type FormDescription,
  type FormField,
  type FormFieldOf,
  type FormFieldType,
  type FormScalar,
} from './plugin-form.js';
export {
  decodeForm,
  formatDuration,
  formValues,
  mapInputNames,
  parseDuration,
  submittedValues,
  type FormMapRow,
  type FormSubmission,
  type FormValue,
} from './form-codec.js';
