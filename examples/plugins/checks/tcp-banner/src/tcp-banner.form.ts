import { defineForm } from '@lillydoo-pulse/plugin-sdk';
import { TcpBannerConfig } from './tcp-banner.config.js';

/** Every option as a form field: the console renders the Add/Edit form from this. */
export const tcpBannerForm = defineForm(
  TcpBannerConfig,
  [
    { name: 'expect', type: 'text', label: 'Banner contains', placeholder: 'SSH-2.0', help: 'Empty: any first line will do.' },
    { name: 'ignore_case', type: 'boolean', label: 'Ignore upper and lower case' },
    { name: 'max_bytes', type: 'number', label: 'Read at most (bytes)', min: 16, max: 65536, step: 1 },
  ],
  { help: 'Connects to the target and reads the first line the service sends, as SSH, SMTP, FTP, POP3 and IMAP servers do.' },
);
