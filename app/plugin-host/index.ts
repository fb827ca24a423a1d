/**
 * The plugin SDK: the only part of app/ that plugins import (their specs also use `./testing.js`). A plugin
 * folder holds `index.ts` (default-exports its Nest module), `<id>.<kind>.ts`, `<id>.config.ts`,
 * `<id>.form.ts` (its form description), a spec and a README. Drop-in plugins import this same module
 * as `@lillydoo-pulse/plugin-sdk` (the host hands it to them, see sdk-provision.ts); its types are
 * published from here by `npm run build:sdk` (packages/plugin-sdk).
 */
export * from './contracts.js';
export { Alerter, Check, Collector, type PluginDecorator } from './decorators.js';
export { Inject, Optional, PluginModule, type PluginProvider } from './plugin-module.js';
export { PLUGIN_SDK_PACKAGE, PLUGIN_SDK_VERSION } from './sdk-version.js';
export * from './validation.js';
export { validatePluginConfig, type ConfigValidation, type FieldError } from './plugin-config.js';
export { parseHostPort, formatHostPort } from './targets.js';
export { alertHeadline, cleanLine, eventLines, formatTime, stateLabel } from './alert-text.js';
export { ANSWER_LIMIT_BYTES, postForAlert } from './http-delivery.js';
export { AddressRefusedError, DEFAULT_NETWORK_POLICY, NetworkPolicy } from './network-policy.js';
export { describeNetworkError, roundMs } from './network-errors.js';
export { abortableCheck, noAnswer } from './abortable-check.js';
export { loadOnce } from './load-once.js';
export { globMatcher } from './globs.js';
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
