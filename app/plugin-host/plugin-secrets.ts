/** What the API shows instead of a secret setting (SNMP community, SMTP password, webhook URL with a key…). */
export const SECRET_MASK = '********';

type Settings = Record<string, unknown>;

function isMap(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function masked(value: unknown): unknown {
  if (value === '' || value === null || value === undefined) return value;
  // A map of secrets (webhook headers): the names stay readable, every value is masked.
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, masked(item)]));
  return SECRET_MASK;
}

/** Settings as the API shows them: every non-empty secret replaced by the mask (each value, for a map). */
export function maskSecrets(secrets: readonly string[] | undefined, settings: Settings): Settings {
  if (!secrets || secrets.length === 0) return settings;
  return Object.fromEntries(Object.entries(settings).map(([key, value]) => [key, secrets.includes(key) ? masked(value) : value]));
}

/** The incoming value, with every mask that stands where `stored` has a value replaced by that value. */
function unmasked(incoming: unknown, stored: unknown): unknown {
  if (incoming === SECRET_MASK) return stored;
  if (!isMap(incoming) || !isMap(stored)) return incoming;
  return Object.fromEntries(
    Object.entries(incoming).map(([name, item]) => [name, Object.prototype.hasOwnProperty.call(stored, name) ? unmasked(item, stored[name]) : item]),
  );
}

/**
 * An edit that sends the mask back (what the API showed) keeps the stored secret; any other value
 * replaces it. For a map of secrets this holds per entry: a header sent back masked keeps its value, a
 * new or changed one is taken, one left out is removed. So a client can PUT what it got from GET without
 * wiping credentials.
 */
export function keepMaskedSecrets(secrets: readonly string[] | undefined, incoming: Settings, stored: Settings | undefined): Settings {
  if (!secrets || !stored) return incoming;
  const result = { ...incoming };
  for (const key of secrets) if (key in result && key in stored) result[key] = unmasked(result[key], stored[key]);
  return result;
}
