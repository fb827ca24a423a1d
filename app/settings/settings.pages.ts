import { Query } from '@nestjs/common';
import { AlertsQuery } from '../alerts/alerts.query.js';
import { configOrigins } from '../config/config-core.js';
import { SECRET_KEYS, ServerConfig } from '../config/config.schema.js';
import { PluginRegistry } from '../plugin-host/plugin-registry.js';
import { ConsoleController, Page } from '../web/console-pages.js';
import { view } from '../web/console-results.js';
import { queryText } from '../web/pager.js';
import { effectiveConfig, type SettingsTable } from './effective-config.js';

const FRAGMENTS = { 'settings-tables': 'settings/tables' };
const KIND_LABELS: Record<string, string> = { check: 'Checks', alerter: 'Alerters', collector: 'Collectors' };

/**
 * The Settings page (SPEC §8): the configuration this server runs with, table by table as the file
 * writes it, every key with its value and where it came from; secrets masked (by the schema, by a
 * credential-like name, and as each alerter declares its options). Read-only: the file is the source.
 */
@ConsoleController('settings')
export class SettingsPages {
  constructor(
    private readonly config: ServerConfig,
    private readonly alerts: AlertsQuery,
    private readonly plugins: PluginRegistry,
  ) {}

  @Page('', { title: 'Settings', nav: { order: 900, group: 'Administration' } })
  show(@Query() query: Record<string, unknown>) {
    const changedOnly = queryText(query.show) === 'changed';
    const alerting = this.alerts.fileSettings();
    const origins = configOrigins(this.config);
    const all = effectiveConfig(this.config, origins, {
      secretKeys: SECRET_KEYS,
      isSecret: (keyPath) => alerting.isSecret(keyPath),
      pluginSections: alerting.sections,
    });
    const tables = changedOnly ? onlyChanged(all) : all.filter((table) => table.rows.length > 0);
    const rows = all.flatMap((table) => table.rows);
    return view(
      'settings/index',
      {
        title: 'Settings',
        file: origins?.file ?? null,
        changedOnly,
        tables: tables.map((table) => ({ ...table, heading: table.heading || 'Top level', topLevel: table.heading === '' })),
        counts: {
          fromFile: rows.filter((row) => row.origin === 'file').length,
          fromEnvironment: rows.filter((row) => row.origin === 'environment').length,
          secrets: rows.filter((row) => row.secret).length,
        },
        plugins: this.pluginKinds(),
      },
      { fragments: FRAGMENTS },
    );
  }

  /** The plugins loaded, by kind, with their folder's version: what the server can check and send with. */
  private pluginKinds() {
    const kinds = [
      { kind: 'check', plugins: this.plugins.checks() },
      { kind: 'alerter', plugins: this.plugins.alerters() },
      { kind: 'collector', plugins: this.plugins.collectors() },
    ];
    return kinds
      .filter(({ plugins }) => plugins.length > 0)
      .map(({ kind, plugins }) => ({
        label: KIND_LABELS[kind],
        plugins: plugins.map((plugin) => ({ id: plugin.id, title: plugin.meta.title })).sort((a, b) => a.title.localeCompare(b.title)),
      }));
  }
}

/** Only what the file or the environment set (the tables left with none are dropped). */
function onlyChanged(tables: SettingsTable[]): SettingsTable[] {
  return tables
    .map((table) => ({ ...table, rows: table.rows.filter((row) => row.origin !== 'default') }))
    .filter((table) => table.rows.length > 0);
}
