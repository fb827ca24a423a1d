import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { PluginError } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { validatePluginConfig } from '../../../app/plugin-host/index.js';
import { ALL_EVENTS, monitorDown, monitorRecovered, testMessage } from '../../../test/fixtures/alert-events.js';
import { MIB_DIRS, Snmptrapd } from '../../../test/peers/snmptrapd.js';
import { assertGolden } from '../../../test/support/golden.js';
import { defaultEngineId, SnmpTrapAlerter } from './snmp-trap.alerter.js';
import { SnmpTrapConfig } from './snmp-trap.config.js';
import { skipUnlessInstalled } from '../../../test/support/debian-peers.js';

const alerter = new SnmpTrapAlerter();
const logger = { debug() {}, info() {}, warn() {} };
const context = () => createPluginContext({ timeoutMs: 5000, logger });
const ENGINE = '80007ED90470756C73652D74657374';
const USER = {
  name: 'pulse',
  engineId: ENGINE,
  authProtocol: 'SHA',
  authKey: 'auth-secret-1',
  privProtocol: 'AES',
  privKey: 'priv-secret-1',
} as const;

function config(values: Record<string, unknown>): SnmpTrapConfig {
  const result = validatePluginConfig(SnmpTrapConfig, values);
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  return result.value;
}

describe('snmp-trap alerter', { skip: skipUnlessInstalled('snmptrapd', 'snmptranslate') }, () => {
  let trapd: Snmptrapd;
  before(async () => {
    trapd = await Snmptrapd.start(USER);
  });
  after(() => trapd.stop());

  it('ships a MIB that snmptranslate accepts, with the OIDs the alerter sends', () => {
    const translate = (name: string) =>
      execFileSync('snmptranslate', ['-Pe', '-M', MIB_DIRS, '-m', 'LILLYDOO-PULSE-MIB', '-IR', '-On', name], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      }).trim();
    assert.equal(translate('pulseProblem'), '.1.3.6.1.4.1.32473.7.0.1');
    assert.equal(translate('pulseRecovered'), '.1.3.6.1.4.1.32473.7.0.2');
    assert.equal(translate('pulseTest'), '.1.3.6.1.4.1.32473.7.0.3');
    const sent = alerter.render(monitorDown).varbinds.map((varbind) => `.${varbind.oid.replace(/\.0$/, '')}`);
    const names = [
      'pulseEventKind',
      'pulseEventId',
      'pulseEventName',
      'pulseEventFromState',
      'pulseEventToState',
      'pulseEventIncident',
      'pulseEventMessage',
      'pulseEventUrl',
      'pulseEventTime',
    ];
    assert.deepEqual(sent, names.map(translate));
  });

  it('renders every kind of event as the golden files say', () => {
    for (const [name, event] of Object.entries(ALL_EVENTS)) {
      const message = alerter.render(event);
      assertGolden(
        `plugins/alerters/snmp-trap/golden/${name}.txt`,
        [
          message.notification,
          ...message.varbinds.map((varbind) => `${varbind.oid} ${varbind.type} ${JSON.stringify(varbind.value)}`),
        ].join('\n') + '\n',
      );
    }
  });

  it('cuts long UTF-8 text to 255 octets without breaking a character', () => {
    const message = alerter.render({ ...monitorDown, message: 'ü'.repeat(300) });
    const text = message.varbinds.find((varbind) => varbind.oid.endsWith('.7.0'))!.value as string;
    assert.equal(Buffer.byteLength(text), 254);
    assert.equal(text, 'ü'.repeat(127));
  });

  it('sends a v2c trap that snmptrapd decodes with the MIB', async () => {
    const settings = config({ target: `127.0.0.1:${trapd.port}`, version: '2c', community: 'public' });
    await alerter.send(alerter.render(monitorDown), settings, context());
    const [trap] = await trapd.waitForTraps(1);
    assert.match(trap!, /LILLYDOO-PULSE-MIB::pulseProblem/);
    assert.match(trap!, /LILLYDOO-PULSE-MIB::pulseEventName\.0 = STRING: "?shop\.example\.com"?/);
    assert.match(trap!, /LILLYDOO-PULSE-MIB::pulseEventToState\.0 = STRING: "?down"?/);
    assert.match(trap!, /LILLYDOO-PULSE-MIB::pulseEventIncident\.0 = Gauge32: 7/);
    assert.match(trap!, /LILLYDOO-PULSE-MIB::pulseEventMessage\.0 = STRING: "?HTTP 503"?/);
  });

  it('sends an SNMPv3 authPriv trap that the receiver authenticates and decrypts', async () => {
    const settings = config({
      target: `127.0.0.1:${trapd.port}`,
      version: '3',
      user: 'pulse',
      auth_protocol: 'sha',
      auth_key: USER.authKey,
      priv_protocol: 'aes',
      priv_key: USER.privKey,
      engine_id: ENGINE,
    });
    await alerter.send(alerter.render(monitorRecovered), settings, context());
    const traps = await trapd.waitForTraps(2);
    assert.match(traps[1]!, /LILLYDOO-PULSE-MIB::pulseRecovered/);
    assert.match(traps[1]!, /pulseEventToState\.0 = STRING: "?up"?/);
  });

  it('is not decoded when the v3 keys are wrong (the receiver drops it)', async () => {
    const settings = config({
      target: `127.0.0.1:${trapd.port}`,
      version: '3',
      user: 'pulse',
      auth_protocol: 'sha',
      auth_key: 'wrong-auth-key',
      priv_protocol: 'aes',
      priv_key: USER.privKey,
      engine_id: ENGINE,
    });
    await alerter.send(alerter.render(testMessage), settings, context());
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal((await trapd.waitForTraps(2)).length, 2, 'no third trap was accepted');
    assert.doesNotMatch(trapd.output, /pulseTest/);
  });

  it('refuses an unusable configuration as permanent', async () => {
    const noUser = config({ target: '127.0.0.1:162', version: '3' });
    await assert.rejects(
      alerter.send(alerter.render(monitorDown), noUser, context()),
      (error: PluginError) => !error.temporary && /needs a user/.test(error.message),
    );
    const privWithoutAuth = config({ target: '127.0.0.1:162', version: '3', user: 'x', priv_protocol: 'aes', priv_key: 'p' });
    await assert.rejects(alerter.send(alerter.render(monitorDown), privWithoutAuth, context()), /privacy needs authentication/);
  });

  it('derives a stable engine id from the host name', () => {
    assert.equal(defaultEngineId('pulse-test').toUpperCase(), ENGINE);
    assert.equal(defaultEngineId(), defaultEngineId());
  });
});
