import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import tls from 'node:tls';
import {
  abortableCheck,
  Check,
  describeNetworkError,
  parseHostPort,
  roundMs,
  type CheckPlugin,
  type CheckResult,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { certificateReader, type CertificateDetails } from './certificate-details.js';
import { SslConfig } from './ssl.config.js';
import { sslForm } from './ssl.form.js';

const DAY_MS = 86_400_000;
/** Verification errors that only say "this chain does not end at a CA we trust": what allow_self_signed accepts. */
const UNTRUSTED_CHAIN = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);
/** Date problems are judged from the certificate itself, with their own messages. */
const DATE_ERRORS = new Set(['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID']);
const TRUST_WORDS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in the chain',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT: 'issuer is not a trusted CA',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'chain cannot be verified (missing intermediate certificate?)',
};

/**
 * TLS handshake with SNI, then the certificate: dates, host name and chain are verified separately so each
 * problem gets its own message, and an expiry within `warn_days` is a warning.
 */
@Check({
  id: 'ssl',
  title: 'SSL certificate',
  config: SslConfig,
  example: { warn_days: 21 },
  target: { label: 'Host (and port, default 443)', placeholder: 'www.example.com:443' },
  form: sslForm,
})
@Injectable()
export class SslCheck implements CheckPlugin<SslConfig> {
  validateTarget(target: string): string | null {
    return parseHostPort(target, 443)
      ? null
      : 'must be "host" or "host:port" (port 1-65535, default 443), e.g. "www.example.com" or "[2001:db8::1]:8443"';
  }

  async run(target: string, config: SslConfig, context: PluginContext): Promise<CheckResult> {
    const address = parseHostPort(target, 443);
    if (!address) return { status: 'down', latencyMs: null, message: `invalid target "${target}"` };
    const readCertificate = await certificateReader();
    const { host, port } = address;
    const serverName = config.server_name || (isIP(host) ? undefined : host);

    return abortableCheck(context, (finish) => {
      const started = performance.now();
      const socket = tls.connect({
        host,
        port,
        servername: serverName,
        rejectUnauthorized: false, // judged below, one problem at a time
        ...(config.ca_certificates ? { ca: [...tls.rootCertificates, config.ca_certificates] } : {}),
      });
      socket.once('secureConnect', () => {
        const latencyMs = roundMs(performance.now() - started);
        const peer = socket.getPeerCertificate(true);
        if (!peer?.raw) return finish({ status: 'down', latencyMs, message: 'the server sent no certificate' });
        let details: CertificateDetails;
        try {
          details = readCertificate(peer.raw);
        } catch (error) {
          return finish({ status: 'down', latencyMs, message: `certificate cannot be read: ${(error as Error).message}` });
        }
        const nameError = tls.checkServerIdentity(serverName ?? host, peer);
        // Typed as an Error, but Node hands over OpenSSL's code as a plain string.
        const verifyError = socket.authorizationError as unknown;
        const verifyCode =
          typeof verifyError === 'string' ? verifyError : ((verifyError as NodeJS.ErrnoException | undefined)?.code ?? null);
        const verdict = judge(details, verifyCode, nameError, serverName ?? host, config);
        const { notBefore: _from, notAfter: _to, ...shown } = details;
        finish({
          ...verdict,
          latencyMs,
          details: {
            ...shown,
            days_left: daysLeft(details),
            protocol: socket.getProtocol(),
            authorized: socket.authorized,
            server_name: serverName ?? null,
          },
        });
      });
      socket.once('error', (error: NodeJS.ErrnoException) =>
        finish({ status: 'down', latencyMs: null, message: describeNetworkError(error, host), details: { code: error.code } }),
      );
      return () => socket.destroy();
    });
  }
}

function judge(
  details: CertificateDetails,
  authorizationError: string | null,
  nameError: Error | undefined,
  name: string,
  config: SslConfig,
): Pick<CheckResult, 'status' | 'message'> {
  const now = Date.now();
  if (now < details.notBefore.getTime()) {
    const days = Math.ceil((details.notBefore.getTime() - now) / DAY_MS);
    return { status: 'down', message: `certificate not valid before ${day(details.notBefore)} (in ${plural(days, 'day')})` };
  }
  if (now > details.notAfter.getTime()) {
    const days = Math.floor((now - details.notAfter.getTime()) / DAY_MS);
    return {
      status: 'down',
      message: `certificate expired on ${day(details.notAfter)} (${days === 0 ? 'today' : `${plural(days, 'day')} ago`})`,
    };
  }
  if (nameError) {
    const names = details.sans.length > 0 ? details.sans.join(', ') : details.subject;
    return { status: 'down', message: `certificate is for ${names}, not ${name}` };
  }
  if (
    authorizationError &&
    !DATE_ERRORS.has(authorizationError) &&
    !(config.allow_self_signed && UNTRUSTED_CHAIN.has(authorizationError))
  ) {
    return { status: 'down', message: `untrusted certificate: ${TRUST_WORDS[authorizationError] ?? authorizationError}` };
  }
  const left = daysLeft(details);
  if (left < config.warn_days)
    return { status: 'warning', message: `certificate expires in ${plural(left, 'day')} (${day(details.notAfter)})` };
  return { status: 'up', message: `certificate valid for ${plural(left, 'day')} (until ${day(details.notAfter)})` };
}

function daysLeft(details: CertificateDetails): number {
  return Math.floor((details.notAfter.getTime() - Date.now()) / DAY_MS);
}

const day = (date: Date) => date.toISOString().slice(0, 10);
const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? '' : 's'}`;
