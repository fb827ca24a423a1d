import type { AlerterMeta } from '../plugin-host/contracts.js';

type Table = Record<string, unknown>;

const isTable = (value: unknown): value is Table => typeof value === 'object' && value !== null && !Array.isArray(value);

/** What decides whether a key of the alerting part of the file holds a secret: the alerters' declarations. */
export interface AlerterSecrets {
  id: string;
  meta: Pick<AlerterMeta<any>, 'secrets' | 'file'>;
}

/**
 * Whether a key path of `[alerts.NAME]` (as the file writes it) holds a secret, in any of its three forms:
 * Lovebeat's keys (`mail = "…"`, `snmp_community`), `type` with `options = { … }`, and
 * `[alerts.NAME.<alerter>]` tables. Each maps to an alerter option, secret when that alerter says so.
 * `options` of an alerter that is not installed are all treated as secrets (nothing says they are not).
 */
export function alertsKeyIsSecret(keyPath: string, tables: Readonly<Record<string, Table>>, alerters: readonly AlerterSecrets[]): boolean {
  const match = /^alerts\.([^.]+)\.(.+)$/.exec(keyPath);
  if (!match) return false;
  const table = tables[match[1]!];
  if (!isTable(table)) return false;
  const [first, option] = match[2]!.split('.') as [string, string | undefined];
  const byId = (id: unknown) => alerters.find((alerter) => alerter.id === id);
  const secretOption = (alerter: AlerterSecrets | undefined, name: string | undefined) =>
    alerter === undefined || (name !== undefined && (alerter.meta.secrets ?? []).includes(name));
  if (first === 'options') return option !== undefined && secretOption(byId(table.type), option);
  if (isTable(table[first])) return option !== undefined && secretOption(byId(first), option);
  for (const alerter of alerters) {
    const file = alerter.meta.file;
    if (!file) continue;
    if (file.key === first) return secretOption(alerter, file.option);
    const further = file.options?.[first];
    if (further !== undefined) return secretOption(alerter, further);
  }
  return false;
}
