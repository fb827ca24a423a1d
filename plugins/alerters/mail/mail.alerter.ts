import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import {
  AddressRefusedError,
  Alerter,
  alertHeadline,
  ANSWER_LIMIT_BYTES,
  DEFAULT_NETWORK_POLICY,
  eventLines,
  loadOnce,
  postForAlert,
  parseHostPort,
  PluginError,
  type AlertEvent,
  type AlerterPlugin,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { MailConfig } from './mail.config.js';
import { mailForm } from './mail.form.js';

export interface MailMessage {
  from: string;
  to: string[];
  subject: string;
  text: string;
}

const loadNodemailer = loadOnce(() => import('nodemailer').then((module) => module.default));

/** SMTP transport errors that a later attempt may not meet again. */
const TEMPORARY_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EHOSTUNREACH']);

/** Mail through an SMTP relay (plain, STARTTLS, implicit TLS, auth) or Mailgun's HTTP API. */
@Alerter({
  id: 'mail',
  title: 'E-mail',
  config: MailConfig,
  example: { to: 'ops@example.com, oncall@example.com' },
  secrets: ['password', 'mailgun_api_key'],
  form: mailForm,
  // Lovebeat's `[alerts.NAME] mail = "…"`, and its server-wide [mail] and [mailgun] sections.
  file: {
    key: 'mail',
    option: 'to',
    sections: {
      mail: {
        server: 'server',
        from: 'from',
        username: 'username',
        password: 'password',
        starttls: 'starttls',
        tls: 'tls',
        ignore_tls_errors: 'ignore_tls_errors',
      },
      mailgun: { domain: 'mailgun_domain', from: 'mailgun_from', api_key: 'mailgun_api_key', url: 'mailgun_url' },
    },
  },
})
@Injectable()
export class MailAlerter implements AlerterPlugin<MailConfig, MailMessage> {
  render(event: AlertEvent, config: MailConfig): MailMessage {
    return {
      from: config.mailgun_domain ? config.mailgun_from || config.from || `pulse@${config.mailgun_domain}` : config.from,
      to: config.to
        .split(',')
        .map((address) => address.trim())
        .filter(Boolean),
      // alertHeadline() strips control characters, so nothing from a name can start a new header.
      subject: `[PULSE] ${alertHeadline(event)}`,
      text: `${eventLines(event).join('\n')}\n\n-- \nLILLYDOO Pulse\n`,
    };
  }

  send(message: MailMessage, config: MailConfig, context: PluginContext): Promise<void> {
    return config.mailgun_domain ? this.sendWithMailgun(message, config, context) : this.sendWithSmtp(message, config, context);
  }

  private async sendWithSmtp(message: MailMessage, config: MailConfig, context: PluginContext): Promise<void> {
    const relay = parseHostPort(config.server);
    if (!relay) throw new PluginError(`no SMTP relay configured ([mail] server = "${config.server}")`, false);
    // Loaded on first use: a server that never mails never loads nodemailer.
    const nodemailer = await loadNodemailer();
    const network = context.network ?? DEFAULT_NETWORK_POLICY;
    const transport = nodemailer.createTransport({
      host: relay.host,
      port: relay.port,
      // Pulse opens the connection itself, so the relay's address is checked after DNS, at connect time.
      getSocket: (_options, callback) => {
        network.connect(relay.host, relay.port, context.signal).then(
          (connection) => callback(null, { connection }),
          (error: Error) => callback(error, undefined),
        );
      },
      // SPEC §13: a relay's replies are read up to 64 KiB.
      maxResponseSize: ANSWER_LIMIT_BYTES,
      secure: config.tls,
      requireTLS: config.starttls === 'always',
      ignoreTLS: config.starttls === 'never',
      auth: config.username ? { user: config.username, pass: config.password } : undefined,
      // SNI carries names only (RFC 6066); Node warns about an IP address there.
      tls: { rejectUnauthorized: !config.ignore_tls_errors, ...(isIP(relay.host) ? {} : { servername: relay.host }) },
      connectionTimeout: context.timeoutMs,
      greetingTimeout: context.timeoutMs,
      socketTimeout: context.timeoutMs,
    });
    const abort = () => transport.close();
    context.signal.addEventListener('abort', abort, { once: true });
    try {
      await transport.sendMail({ from: message.from, to: message.to, subject: message.subject, text: message.text });
    } catch (error) {
      if (error instanceof AddressRefusedError) throw new PluginError(`SMTP relay ${config.server} refused: ${error.message}`, false);
      if (context.signal.aborted) throw new PluginError(`SMTP relay ${config.server} gave no answer within ${context.timeoutMs} ms`, true);
      throw describeSmtpError(error as SmtpError, config.server);
    } finally {
      context.signal.removeEventListener('abort', abort);
      transport.close();
    }
  }

  private async sendWithMailgun(message: MailMessage, config: MailConfig, context: PluginContext): Promise<void> {
    const url = `${config.mailgun_url.replace(/\/+$/, '')}/v3/${encodeURIComponent(config.mailgun_domain)}/messages`;
    const form = new URLSearchParams({ from: message.from, subject: message.subject, text: message.text });
    for (const to of message.to) form.append('to', to);
    // The same answer classification as every other HTTP alerter: 5xx/408/429 and timeouts temporary, other 4xx permanent.
    await postForAlert(
      url,
      form.toString(),
      {
        authorization: `Basic ${Buffer.from(`api:${config.mailgun_api_key}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'LILLYDOO-Pulse',
      },
      context,
      'Mailgun',
    );
  }
}

interface SmtpError extends Error {
  code?: string;
  /** The underlying socket/TLS error code, when nodemailer replaced `code` with its own category. */
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** Certificate problems need a configuration change (trust the CA, or ignore_tls_errors), not a retry. */
const CERTIFICATE_CODE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/;

function describeSmtpError(error: SmtpError, server: string): PluginError {
  if (error.responseCode) {
    const reply = (error.response ?? error.message).split('\n')[0]!.slice(0, 200);
    const to = error.command && error.command !== 'CONN' ? ` to ${error.command.split(' ')[0]}` : '';
    // 4xx: try again later (greylisting, full queue); 5xx: the relay refuses for good (bad recipient, auth).
    return new PluginError(`SMTP relay ${server} answered ${reply}${to}`, error.responseCode >= 400 && error.responseCode < 500);
  }
  if (CERTIFICATE_CODE.test(error.originalCode ?? '')) {
    return new PluginError(`TLS certificate of ${server} is not trusted (${error.message}); trust its CA or set ignore_tls_errors`, false);
  }
  if (error.code === 'EAUTH') return new PluginError(`SMTP authentication failed at ${server}: ${error.message}`, false);
  if (error.code === 'ETLS') return new PluginError(`TLS with ${server} failed: ${error.message}`, false);
  return new PluginError(`SMTP relay ${server}: ${error.message}`, TEMPORARY_CODES.has(error.code ?? '') || !error.code);
}
