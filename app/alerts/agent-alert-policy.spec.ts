import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { agentAlertEvent, isAgentAlertable } from './agent-alert-policy.js';

describe('agent alert policy', () => {
  it('alerts warning and down, and the return to ok after them', () => {
    for (const [from, to] of [
      ['ok', 'warning'],
      ['ok', 'down'],
      ['warning', 'down'],
      ['down', 'warning'],
      ['warning', 'ok'],
      ['down', 'ok'],
      ['new', 'warning'],
      ['maintenance', 'down'],
    ])
      assert.equal(isAgentAlertable(from!, to!), true, `${from} → ${to}`);
  });

  it('says nothing about a first ok report, a maintenance window, or its end while all is well', () => {
    for (const [from, to] of [
      ['new', 'ok'],
      ['ok', 'maintenance'],
      ['down', 'maintenance'],
      ['maintenance', 'ok'],
    ])
      assert.equal(isAgentAlertable(from!, to!), false, `${from} → ${to}`);
  });

  it('makes an alert of kind agent with the reason as its message', () => {
    const event = agentAlertEvent(
      {
        agentId: 4,
        name: 'web1',
        hostname: 'web1',
        from: 'ok',
        to: 'warning',
        reason: 'disk /var 93 % > 90 %',
        at: 2000,
        since: 1000,
        alerts: [],
      },
      'https://pulse.example.com/agents/4',
    );
    assert.deepEqual(event, {
      kind: 'agent',
      id: '4',
      name: 'web1',
      fromState: 'ok',
      toState: 'warning',
      recovered: false,
      incidentNumber: null,
      message: 'disk /var 93 % > 90 %',
      url: 'https://pulse.example.com/agents/4',
      at: 2000,
      since: 1000,
    });
  });
});
