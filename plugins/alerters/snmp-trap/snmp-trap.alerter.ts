import { Injectable } from '@nestjs/common';
import os from 'node:os';
import type * as NetSnmp from 'net-snmp';
import {
  Alerter,
  loadOnce,
  alertHeadline,
  parseHostPort,
  PluginError,
  type AlertEvent,
  type AlerterPlugin,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { SnmpTrapConfig } from './snmp-trap.config.js';
import { snmpTrapForm } from './snmp-trap.form.js';

const loadNetSnmp = loadOnce(() => import('net-snmp').then((module) => module.default));
type NetSnmpModule = Awaited<ReturnType<typeof loadNetSnmp>>;

/** appliance/mibs/LILLYDOO-PULSE-MIB.txt: { enterprises 32473 7 } (RFC 5612's documentation number). */
export const PULSE_MIB = '1.3.6.1.4.1.32473.7';
const NOTIFICATION = { problem: `${PULSE_MIB}.0.1`, recovered: `${PULSE_MIB}.0.2`, test: `${PULSE_MIB}.0.3` };
const EVENT = `${PULSE_MIB}.1`;

export interface TrapVarbind {
  oid: string;
  type: 'text' | 'unsigned';
  value: string | number;
}

export interface TrapMessage {
  notification: string;
  varbinds: TrapVarbind[];
}

/** Cut UTF-8 text to the MIB's 255 octets without splitting a character. */
function octets(text: string, max = 255): string {
  let bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  bytes = bytes.subarray(0, max);
  while (bytes.length > 0 && (bytes[bytes.length - 1]! & 0xc0) === 0x80) bytes = bytes.subarray(0, bytes.length - 1);
  if (bytes.length > 0 && bytes[bytes.length - 1]! >= 0xc0) bytes = bytes.subarray(0, bytes.length - 1);
  return bytes.toString('utf8');
}

/** 0x80007ED9 (enterprise 32473, high bit set), format 04 (text), then the host name. */
export function defaultEngineId(hostname = os.hostname()): string {
  return `80007ED904${Buffer.from(hostname.slice(0, 27) || 'pulse').toString('hex')}`;
}

/** SNMP v2c or v3 (authPriv) traps carrying the event as the LILLYDOO-PULSE-MIB objects. */
@Alerter({
  id: 'snmp-trap',
  title: 'SNMP trap',
  config: SnmpTrapConfig,
  example: {
    target: 'nms.example.com:162',
    version: '3',
    user: 'pulse',
    auth_protocol: 'sha',
    auth_key: 'example-auth',
    priv_protocol: 'aes',
    priv_key: 'example-priv',
  },
  secrets: ['community', 'auth_key', 'priv_key'],
  form: snmpTrapForm,
  // `[alerts.NAME] snmp_trap = "host:port"` with Pulse's snmp_* keys next to Lovebeat's.
  file: {
    key: 'snmp_trap',
    option: 'target',
    options: {
      snmp_version: 'version',
      snmp_community: 'community',
      snmp_user: 'user',
      snmp_auth_protocol: 'auth_protocol',
      snmp_auth_key: 'auth_key',
      snmp_priv_protocol: 'priv_protocol',
      snmp_priv_key: 'priv_key',
      snmp_engine_id: 'engine_id',
    },
  },
})
@Injectable()
export class SnmpTrapAlerter implements AlerterPlugin<SnmpTrapConfig, TrapMessage> {
  render(event: AlertEvent): TrapMessage {
    const notification = event.kind === 'test' ? NOTIFICATION.test : event.recovered ? NOTIFICATION.recovered : NOTIFICATION.problem;
    const message = event.kind === 'digest' ? alertHeadline(event) : event.message;
    const text = (index: number, value: string, max?: number): TrapVarbind => ({
      oid: `${EVENT}.${index}.0`,
      type: 'text',
      value: octets(value, max),
    });
    return {
      notification,
      varbinds: [
        text(1, event.kind, 32),
        text(2, event.id),
        text(3, event.name),
        text(4, event.fromState.toLowerCase(), 32),
        text(5, event.toState.toLowerCase(), 32),
        { oid: `${EVENT}.6.0`, type: 'unsigned', value: event.incidentNumber ?? 0 },
        text(7, message),
        text(8, event.url ?? ''),
        text(9, new Date(event.at).toISOString(), 32),
      ],
    };
  }

  async send(message: TrapMessage, config: SnmpTrapConfig, context: PluginContext): Promise<void> {
    const receiver = parseHostPort(config.target, 162);
    if (!receiver) throw new PluginError(`SNMP trap receiver "${config.target}" is not "host:port"`, false);
    // Loaded on first use: a server that sends no traps never loads net-snmp.
    const snmp = await loadNetSnmp();
    const transport: 'udp4' | 'udp6' = receiver.host.includes(':') ? 'udp6' : 'udp4';
    const options = { port: 161, trapPort: receiver.port, transport, timeout: context.timeoutMs };
    let session: NetSnmp.Session;
    try {
      session =
        config.version === '3'
          ? snmp.createV3Session(receiver.host, v3User(snmp, config), {
              ...options,
              version: snmp.Version3,
              engineID: config.engine_id || defaultEngineId(),
            })
          : snmp.createSession(receiver.host, config.community, { ...options, version: snmp.Version2c });
    } catch (error) {
      throw new PluginError(`SNMP session to ${config.target} could not be set up: ${(error as Error).message}`, false);
    }
    const varbinds = message.varbinds.map((varbind) => ({
      oid: varbind.oid,
      type: varbind.type === 'unsigned' ? snmp.ObjectType.Gauge : snmp.ObjectType.OctetString,
      value: varbind.type === 'unsigned' ? varbind.value : Buffer.from(String(varbind.value), 'utf8'),
    }));
    return new Promise((resolve, reject) => {
      session.on('error', () => undefined); // reported through the trap callback
      // A trap is a single UDP datagram with no answer: "sent" is all SNMP can tell.
      session.trap(message.notification, varbinds, { upTime: Math.round(process.uptime() * 100) }, (error: Error | null) => {
        session.close();
        if (error) reject(new PluginError(`SNMP trap to ${config.target} failed: ${error.message}`, true));
        else resolve();
      });
    });
  }
}

function v3User(snmp: NetSnmpModule, config: SnmpTrapConfig): NetSnmp.User {
  if (!config.user) throw new Error('SNMPv3 needs a user (snmp_user)');
  const authProtocol = config.auth_protocol ? snmp.AuthProtocols[config.auth_protocol as keyof typeof snmp.AuthProtocols] : undefined;
  const privProtocol = config.priv_protocol ? snmp.PrivProtocols[config.priv_protocol as keyof typeof snmp.PrivProtocols] : undefined;
  if (privProtocol && !authProtocol) throw new Error('SNMPv3 privacy needs authentication too (snmp_auth_protocol and snmp_auth_key)');
  const level = privProtocol ? snmp.SecurityLevel.authPriv : authProtocol ? snmp.SecurityLevel.authNoPriv : snmp.SecurityLevel.noAuthNoPriv;
  return { name: config.user, level, authProtocol, authKey: config.auth_key, privProtocol, privKey: config.priv_key } as NetSnmp.User;
}
