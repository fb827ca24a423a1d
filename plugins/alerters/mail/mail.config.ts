import { IsBoolean, IsIn, IsString, Matches } from 'class-validator';

const ADDRESS = String.raw`[^\s,@<>"]+@[^\s,@<>"]+`;

/**
 * Core fills in what the server-wide `[mail]` and `[mailgun]` sections set (the alerter owns them, see
 * `file` in its meta); a channel only needs `to`. Decorators
 * run bottom-up: the type check is the last one.
 */
export class MailConfig {
  /** Recipients, comma-separated. */
  @Matches(new RegExp(`^\\s*${ADDRESS}(\\s*,\\s*${ADDRESS})*\\s*$`), { message: 'must be one or more e-mail addresses, comma-separated' })
  @IsString({ message: 'must be a string' })
  to = '';

  /** SMTP relay "host:port" (ignored when Mailgun is configured). */
  @Matches(/^$|^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9_.-]+):\d{1,5}$/, { message: 'must be "host:port", e.g. "localhost:25"' })
  @IsString({ message: 'must be a string' })
  server = 'localhost:25';

  @IsString({ message: 'must be a string' }) from = 'pulse@localhost';
  @IsString({ message: 'must be a string' }) username = '';
  @IsString({ message: 'must be a string' }) password = '';
  /** STARTTLS: use it when offered (auto), insist on it (always), or never. */
  @IsIn(['auto', 'always', 'never'], { message: 'must be "auto", "always" or "never"' }) starttls = 'auto';
  /** Implicit TLS from the first byte (SMTPS, port 465). */
  @IsBoolean({ message: 'must be true or false' }) tls = false;
  @IsBoolean({ message: 'must be true or false' }) ignore_tls_errors = false;

  /** Mailgun's HTTP API instead of SMTP when a domain is set (as Lovebeat's [mailgun]). */
  @IsString({ message: 'must be a string' }) mailgun_domain = '';
  /** Sender for Mailgun ([mailgun] from); empty uses `from`. */
  @IsString({ message: 'must be a string' }) mailgun_from = '';
  @IsString({ message: 'must be a string' }) mailgun_api_key = '';
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'must be an http(s) URL, e.g. https://api.eu.mailgun.net' })
  @IsString({ message: 'must be a string' })
  mailgun_url = 'https://api.mailgun.net';
}
