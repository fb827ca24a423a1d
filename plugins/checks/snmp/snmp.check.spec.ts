import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { validatePluginConfig } from '../../../app/plugin-host/index.js';
import { createPluginContext } from '../../../app/plugin-host/testing.js';
import { SNMPD_COMMUNITY, SNMPD_SYSNAME, SNMPD_SYSSERVICES, SNMPD_V3, SnmpdPeer } from '../../../test/peers/snmpd.js';
import { SnmpCheck } from './snmp.check.js';
import { SnmpConfig } from './snmp.config.js';
import { skipUnlessInstalled } from '../../../test/support/debian-peers.js';

const logger = { debug() {}, info() {}, warn() {} };
const check = new SnmpCheck();
const SYS_NAME = '1.3.6.1.2.1.1.5.0';
const SYS_SERVICES = '1.3.6.1.2.1.1.7.0';
const SYS_UPTIME = '1.3.6.1.2.1.1.3.0';

function config(options: Record<string, unknown>): SnmpConfig {
  const validated = validatePluginConfig(SnmpConfig, options);
  assert.ok(validated.ok, JSON.stringify(validated));
  return validated.value;
}

describe('snmp check against snmpd', { skip: skipUnlessInstalled('snmpd') }, () => {
  let snmpd: SnmpdPeer;
  const v2c = (options: Record<string, unknown>, timeoutMs = 3000) =>
    check.run(snmpd.target, config({ community: SNMPD_COMMUNITY, ...options }), createPluginContext({ timeoutMs, logger }));
  const pick = (result: { status: string; message: string }) => ({ status: result.status, message: result.message });

  before(async () => {
    snmpd = await SnmpdPeer.start();
  });
  after(() => snmpd?.stop());

  it('reads OIDs over v2c and shows their values', async () => {
    const result = await v2c({ oids: [SYS_NAME, SYS_SERVICES, SYS_UPTIME] });
    assert.equal(result.status, 'up');
    assert.match(
      result.message,
      new RegExp(`^${SYS_NAME} = "${SNMPD_SYSNAME}"; ${SYS_SERVICES} = ${SNMPD_SYSSERVICES}; ${SYS_UPTIME} = \\d+$`),
    );
    const values = result.details?.values as Record<string, unknown>;
    assert.equal(values[SYS_NAME], SNMPD_SYSNAME);
    assert.equal(typeof result.latencyMs, 'number');
  });

  it('compares with the expected value', async () => {
    assert.equal((await v2c({ oids: [SYS_NAME], expected_value: SNMPD_SYSNAME })).status, 'up');
    assert.deepEqual(pick(await v2c({ oids: [SYS_NAME], expected_value: 'core-sw-01' })), {
      status: 'down',
      message: `${SYS_NAME} = "${SNMPD_SYSNAME}", expected "core-sw-01"`,
    });
  });

  it('applies warning and down thresholds', async () => {
    assert.deepEqual(pick(await v2c({ oids: [SYS_SERVICES], warning_above: 50, down_above: 100 })), {
      status: 'warning',
      message: `${SYS_SERVICES} = 72 (above 50)`,
    });
    assert.deepEqual(pick(await v2c({ oids: [SYS_SERVICES], warning_above: 50, down_above: 70 })), {
      status: 'down',
      message: `${SYS_SERVICES} = 72 (above 70)`,
    });
    assert.deepEqual(pick(await v2c({ oids: [SYS_SERVICES], down_below: 100 })), {
      status: 'down',
      message: `${SYS_SERVICES} = 72 (below 100)`,
    });
    assert.equal((await v2c({ oids: [SYS_SERVICES], warning_below: 10, warning_above: 80 })).status, 'up');
    assert.deepEqual(pick(await v2c({ oids: [SYS_NAME], down_above: 1 })), {
      status: 'down',
      message: `${SYS_NAME} = "${SNMPD_SYSNAME}" is not a number`,
    });
  });

  it('is down for a missing OID, and for a wrong community (no answer)', async () => {
    assert.deepEqual(pick(await v2c({ oids: ['1.3.6.1.2.1.1.99.0'] })), { status: 'down', message: '1.3.6.1.2.1.1.99.0: NoSuchObject' });
    assert.deepEqual(pick(await v2c({ community: 'wrong', oids: [SYS_NAME] }, 500)), {
      status: 'down',
      message: 'no answer within 500 ms',
    });
  });

  it('reads over v3 with SHA authentication and AES privacy, and refuses a wrong key', async () => {
    const v3 = {
      version: '3',
      user: SNMPD_V3.user,
      auth_protocol: 'sha',
      auth_key: SNMPD_V3.authKey,
      priv_protocol: 'aes',
      priv_key: SNMPD_V3.privKey,
      oids: [SYS_NAME],
    };
    const ok = await check.run(snmpd.target, config(v3), createPluginContext({ timeoutMs: 3000, logger }));
    assert.deepEqual(pick(ok), { status: 'up', message: `${SYS_NAME} = "${SNMPD_SYSNAME}"` });
    const wrong = await check.run(
      snmpd.target,
      config({ ...v3, auth_key: 'not-the-key' }),
      createPluginContext({ timeoutMs: 1000, logger }),
    );
    assert.equal(wrong.status, 'down');
    assert.equal(wrong.message, 'SNMP: Wrong Digest (incorrect password, community or key)');
  });

  it('validates its options and targets', () => {
    const refused = validatePluginConfig(SnmpConfig, { version: '3', oids: ['sysName.0'], priv_protocol: 'aes', priv_key: 'short' });
    assert.ok(!refused.ok);
    assert.deepEqual(refused.errors.map((error) => error.field).sort(), ['oids', 'priv_key', 'priv_protocol', 'user']);
    assert.equal(check.validateTarget('switch-01.example.com'), null);
    assert.equal(check.validateTarget('[2001:db8::1]:1161'), null);
    assert.equal(typeof check.validateTarget('udp://switch'), 'string');
  });
});
