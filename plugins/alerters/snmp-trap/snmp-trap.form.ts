import { defineForm } from '../../../app/plugin-host/index.js';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS, SnmpTrapConfig } from './snmp-trap.config.js';

const PROTOCOL_LABELS: Record<string, string> = {
  '': 'None',
  md5: 'MD5',
  sha: 'SHA-1',
  sha224: 'SHA-224',
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
  des: 'DES',
  aes: 'AES-128',
  aes256b: 'AES-256 (Blumenthal)',
  aes256r: 'AES-256 (Reeder)',
};
const choices = (values: readonly string[]) => values.map((value) => ({ value, label: PROTOCOL_LABELS[value] ?? value }));
const V3 = { field: 'version', in: ['3'] };

/** An SNMP trap channel's settings as a form; community and v3 keys are secrets. */
export const snmpTrapForm = defineForm(SnmpTrapConfig, [
  { name: 'target', type: 'text', label: 'Receiver', help: 'Port 162 when left out.', required: true, placeholder: 'nms.example.com:162' },
  {
    name: 'version',
    type: 'select',
    label: 'SNMP version',
    choices: [
      { value: '2c', label: 'v2c (community)' },
      { value: '3', label: 'v3 (user and keys)' },
    ],
  },
  { name: 'community', type: 'secret', label: 'Community', when: { field: 'version', in: ['2c'] } },
  { name: 'user', type: 'text', label: 'User', required: true, when: V3 },
  { name: 'auth_protocol', type: 'select', label: 'Authentication', choices: choices(AUTH_PROTOCOLS), when: V3 },
  { name: 'auth_key', type: 'secret', label: 'Authentication key', when: V3 },
  { name: 'priv_protocol', type: 'select', label: 'Privacy', help: 'Needs authentication.', choices: choices(PRIV_PROTOCOLS), when: V3 },
  { name: 'priv_key', type: 'secret', label: 'Privacy key', when: V3 },
  {
    name: 'engine_id',
    type: 'text',
    label: 'Engine id (hex)',
    help: 'The receiver must know it (snmptrapd: createUser -e 0x<engine id> …). Empty: derived from the host name.',
    placeholder: 'derived from the host name',
    when: V3,
  },
]);
