import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildSidebar, orderCheckTypes, type NavPage } from './sidebar.js';

const checks = [
  { id: 'snmp', title: 'SNMP' },
  { id: 'port', title: 'Port' },
  { id: 'dns', title: 'DNS' },
  { id: 'http', title: 'HTTP' },
  { id: 'ssl', title: 'SSL' },
  { id: 'ping', title: 'Ping' },
];

describe('sidebar', () => {
  it('lists Ping, HTTP, SSL, Port, then every other check type by title', () => {
    assert.deepEqual(
      orderCheckTypes(checks).map((type) => type.id),
      ['ping', 'http', 'ssl', 'port', 'dns', 'snmp'],
    );
  });

  it('shows only registered pages, in their order, expanding the monitors page per check type', () => {
    const pages: NavPage[] = [
      { path: 'tokens', title: 'Tokens', nav: { order: 800, group: 'Administration' } },
      { path: 'settings', title: 'Settings', nav: { order: 900, group: 'Administration' } },
      { path: 'monitors', title: 'Monitors', nav: { order: 100, group: 'Monitors', byCheckType: true } },
      { path: 'heartbeats', title: 'Heartbeats', nav: { order: 200 } },
    ];
    const sidebar = buildSidebar(pages, checks.slice(3), 'monitors?type=http&page=2');
    assert.deepEqual(sidebar, [
      {
        label: 'Monitors',
        entries: [
          { label: 'Ping', path: 'monitors?type=ping', current: false },
          { label: 'HTTP', path: 'monitors?type=http', current: true },
          { label: 'SSL', path: 'monitors?type=ssl', current: false },
        ],
      },
      { label: null, entries: [{ label: 'Heartbeats', path: 'heartbeats', current: false }] },
      {
        label: 'Administration',
        entries: [
          { label: 'Tokens', path: 'tokens', current: false },
          { label: 'Settings', path: 'settings', current: false },
        ],
      },
    ]);
  });

  it('can list the page without a type before the types', () => {
    const pages: NavPage[] = [{ path: 'monitors', title: 'Monitors', nav: { order: 100, group: 'Monitors', byCheckType: true, allLabel: 'All monitors' } }];
    const all = buildSidebar(pages, checks.slice(3), 'monitors?state=down');
    assert.deepEqual(all[0]!.entries.slice(0, 2), [
      { label: 'All monitors', path: 'monitors', current: true },
      { label: 'Ping', path: 'monitors?type=ping', current: false },
    ]);
    const typed = buildSidebar(pages, checks.slice(3), 'monitors?type=ping');
    assert.deepEqual(
      typed[0]!.entries.filter((entry) => entry.current).map((entry) => entry.label),
      ['Ping'],
    );
  });

  it('marks the page being shown', () => {
    const sidebar = buildSidebar([{ path: 'tokens', title: 'Tokens', nav: { order: 800 } }], [], 'tokens');
    assert.equal(sidebar[0]!.entries[0]!.current, true);
  });
});
