/** What the API shows instead of a secret setting (SNMP community, SMTP password, webhook URL with a key…). */
export const SECRET_MASK = '********';

/** Settings as the API shows them: every non-empty secret replaced by the mask. */
export function maskSecrets(secrets: readonly string[] | undefined, settings: Record<string, unknown>): Record<string, unknown> {
  if (!secrets || secrets.length === 0) return settings;
  return Object.fromEntries(
    Object.entries(settings).map(([key, value]) => [
      key,
      secrets.includes(key) && value !== '' && value !== null && value !== undefined ? SECRET_MASK : value,
    ]),
  );
}

/**
 * An edit that sends the mask back (what the API showed) keeps the stored secret; any other value
 * replaces it. So a client can PUT what it got from GET without wiping credentials.
 */
export function keepMaskedSecrets(
  secrets: readonly string[] | undefined,
  incoming: Record<string, unknown>,
  stored: Record<string, unknown> | undefined,
): Record<string, unknown> {
  if (!secrets || !stored) return incoming;
  const result = { ...incoming };
  for (const key of secrets) if (result[key] === SECRET_MASK && key in stored) result[key] = stored[key];
  return result;
}
