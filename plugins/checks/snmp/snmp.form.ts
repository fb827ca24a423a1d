import { defineForm } from '../../../app/plugin-host/index.js';
import { AUTH_PROTOCOLS, PRIV_PROTOCOLS, SnmpConfig } from './snmp.config.js';

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
const THRESHOLD = { type: 'number', placeholder: 'no threshold' } as const;

/** The snmp check's options as a form; community and v3 keys are secrets. */
export const snmpForm = defineForm(SnmpConfig, [
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
  {
    name: 'oids',
    type: 'list',
    label: 'OIDs to read',
    help: 'Numeric OIDs, one per line (at most 32), e.g. 1.3.6.1.2.1.1.3.0 for the uptime.',
    required: true,
    placeholder: '1.3.6.1.2.1.1.3.0',
  },
  { name: 'user', type: 'text', label: 'User', required: true, when: V3 },
  { name: 'auth_protocol', type: 'select', label: 'Authentication', choices: choices(AUTH_PROTOCOLS), when: V3 },
  { name: 'auth_key', type: 'secret', label: 'Authentication key', help: 'At least 8 characters.', when: V3 },
  { name: 'priv_protocol', type: 'select', label: 'Privacy', help: 'Needs authentication.', choices: choices(PRIV_PROTOCOLS), when: V3 },
  { name: 'priv_key', type: 'secret', label: 'Privacy key', help: 'At least 8 characters.', when: V3 },
  { name: 'expected_value', type: 'text', label: 'Expected value', help: 'Every value must equal this text. Empty: not checked.' },
  { name: 'warning_above', label: 'Warning above', ...THRESHOLD },
  { name: 'down_above', label: 'Down above', ...THRESHOLD },
  { name: 'warning_below', label: 'Warning below', ...THRESHOLD },
  { name: 'down_below', label: 'Down below', ...THRESHOLD },
]);
