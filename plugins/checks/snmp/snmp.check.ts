import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type * as NetSnmp from 'net-snmp';
import {
  abortableCheck,
  Check,
  describeNetworkError,
  loadOnce,
  parseHostPort,
  roundMs,
  type CheckPlugin,
  type CheckResult,
  type CheckStatus,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { SnmpConfig } from './snmp.config.js';
import { snmpForm } from './snmp.form.js';

type Reading = { oid: string; value: string | number };

/** net-snmp is loaded on first use: servers and pollers without SNMP monitors never load it. */
const netSnmp = loadOnce(() => import('net-snmp').then((module) => module.default));
type NetSnmpModule = Awaited<ReturnType<typeof netSnmp>>;

/** SNMP GET of one or more OIDs (v2c or v3); the values are compared with the expected value and thresholds. */
@Check({
  id: 'snmp',
  title: 'SNMP',
  config: SnmpConfig,
  example: { version: '2c', community: 'public', oids: ['1.3.6.1.2.1.1.3.0'] },
  target: { label: 'Host (and UDP port, default 161)', placeholder: 'switch-01.example.com:161' },
  secrets: ['community', 'auth_key', 'priv_key'],
  form: snmpForm,
})
@Injectable()
export class SnmpCheck implements CheckPlugin<SnmpConfig> {
  validateTarget(target: string): string | null {
    return parseHostPort(target, 161)
      ? null
      : 'must be "host" or "host:port" (UDP port 1-65535, default 161), e.g. "switch-01.example.com"';
  }

  async run(target: string, config: SnmpConfig, context: PluginContext): Promise<CheckResult> {
    const address = parseHostPort(target, 161);
    if (!address) return { status: 'down', latencyMs: null, message: `invalid target "${target}"` };
    const snmp = await netSnmp();
    const oids = config.oids.map((oid) => oid.replace(/^\./, ''));

    return abortableCheck(context, (finish) => {
      const started = performance.now();
      let session: NetSnmp.Session;
      try {
        session = openSession(snmp, address.host, address.port, config, context.timeoutMs);
      } catch (error) {
        return finish({ status: 'down', latencyMs: null, message: `SNMP: ${(error as Error).message}` });
      }
      session.on('error', (error: Error) =>
        finish({ status: 'down', latencyMs: null, message: describeSnmpError(error, address.host, context.timeoutMs) }),
      );

      session.get(oids, (error, varbinds) => {
        if (error) return finish({ status: 'down', latencyMs: null, message: describeSnmpError(error, address.host, context.timeoutMs) });
        const latencyMs = roundMs(performance.now() - started);
        const readings: Reading[] = [];
        for (const varbind of varbinds ?? []) {
          if (snmp.isVarbindError(varbind))
            return finish({ status: 'down', latencyMs, message: `${varbind.oid}: ${snmp.varbindError(varbind).replace(/ *: .*$/, '')}` });
          readings.push({ oid: varbind.oid, value: readValue(snmp, varbind) });
        }
        finish({
          ...judge(readings, config),
          latencyMs,
          details: { values: Object.fromEntries(readings.map((reading) => [reading.oid, reading.value])) },
        });
      });
      return () => session.close();
    });
  }
}

function openSession(snmp: NetSnmpModule, host: string, port: number, config: SnmpConfig, timeoutMs: number): NetSnmp.Session {
  // Plugins never retry: one request, the whole timeout to answer.
  const options = { port, retries: 0, timeout: timeoutMs, transport: (isIP(host) === 6 ? 'udp6' : 'udp4') as 'udp4' | 'udp6' };
  if (config.version === '2c') return snmp.createSession(host, config.community, { ...options, version: snmp.Version2c });
  const level = config.priv_protocol
    ? snmp.SecurityLevel.authPriv
    : config.auth_protocol
      ? snmp.SecurityLevel.authNoPriv
      : snmp.SecurityLevel.noAuthNoPriv;
  const user: NetSnmp.User = { name: config.user, level };
  if (config.auth_protocol) Object.assign(user, { authProtocol: snmp.AuthProtocols[config.auth_protocol], authKey: config.auth_key });
  if (config.priv_protocol) Object.assign(user, { privProtocol: snmp.PrivProtocols[config.priv_protocol], privKey: config.priv_key });
  return snmp.createV3Session(host, user, options as NetSnmp.SessionOptionsV3);
}

/** Numbers stay numbers (Counter64 included, as far as a double reaches); text is text; binary is hex. */
function readValue(snmp: NetSnmpModule, varbind: NetSnmp.Varbind): string | number {
  const value = varbind.value as unknown;
  if (typeof value === 'number') return value;
  if (Buffer.isBuffer(value)) {
    if (varbind.type === snmp.ObjectType.Counter64) return Number(BigInt(`0x${value.toString('hex') || '0'}`));
    const text = value.toString('utf8');
    return /^[\x20-\x7e\t\r\n]*$/.test(text) ? text : value.toString('hex');
  }
  return String(value);
}

function judge(readings: Reading[], config: SnmpConfig): { status: CheckStatus; message: string } {
  const shown = (reading: Reading) =>
    `${reading.oid} = ${typeof reading.value === 'number' ? reading.value : JSON.stringify(reading.value)}`;
  let warning: string | null = null;
  for (const reading of readings) {
    if (config.expected_value !== '' && String(reading.value) !== config.expected_value) {
      return { status: 'down', message: `${shown(reading)}, expected ${JSON.stringify(config.expected_value)}` };
    }
    const thresholds = [config.down_above, config.down_below, config.warning_above, config.warning_below];
    if (thresholds.every((limit) => limit === null)) continue;
    const number = typeof reading.value === 'number' ? reading.value : Number(reading.value);
    if (reading.value === '' || !Number.isFinite(number)) return { status: 'down', message: `${shown(reading)} is not a number` };
    if (config.down_above !== null && number > config.down_above)
      return { status: 'down', message: `${shown(reading)} (above ${config.down_above})` };
    if (config.down_below !== null && number < config.down_below)
      return { status: 'down', message: `${shown(reading)} (below ${config.down_below})` };
    if (config.warning_above !== null && number > config.warning_above) warning ??= `${shown(reading)} (above ${config.warning_above})`;
    if (config.warning_below !== null && number < config.warning_below) warning ??= `${shown(reading)} (below ${config.warning_below})`;
  }
  if (warning) return { status: 'warning', message: warning };
  const listed = readings.slice(0, 3).map(shown).join('; ');
  return { status: 'up', message: readings.length > 3 ? `${listed}; and ${readings.length - 3} more` : listed };
}

function describeSnmpError(error: Error, host: string, timeoutMs: number): string {
  if (error.name === 'RequestTimedOutError') return `no answer within ${timeoutMs} ms`;
  // Socket errors carry a string code (ENETUNREACH); net-snmp's own errors a numeric one.
  if (typeof (error as NodeJS.ErrnoException).code === 'string') return describeNetworkError(error as NodeJS.ErrnoException, host);
  return `SNMP: ${error.message}`;
}
