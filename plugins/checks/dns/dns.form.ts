import { defineForm } from '../../../app/plugin-host/index.js';
import { DnsConfig } from './dns.config.js';
import { RECORD_TYPES } from './dns-names.js';

/** The dns check's options as a form. */
export const dnsForm = defineForm(DnsConfig, [
  { name: 'record_type', type: 'select', label: 'Record type', choices: RECORD_TYPES.map((type) => ({ value: type, label: type })) },
  {
    name: 'resolver',
    type: 'text',
    label: 'Resolver',
    help: 'The DNS server to ask: an IP address with an optional port, e.g. 192.0.2.53 or [2001:db8::53]:53. Empty: the system’s name servers.',
    placeholder: 'system resolver',
  },
  {
    name: 'expected',
    type: 'list',
    separator: 'lines',
    label: 'Expected answers',
    help: 'One per line, as typed; all must be among the answers (more may come). Addresses for A/AAAA, names for CNAME/NS, "10 mail.example.org" or "mail.example.org" for MX, the whole text for TXT (commas included). Empty: any answer will do.',
    placeholder: '192.0.2.10',
  },
]);
