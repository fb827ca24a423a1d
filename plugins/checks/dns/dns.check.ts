import { Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { performance } from 'node:perf_hooks';
import {
  Check,
  cleanLine,
  noAnswer,
  roundMs,
  type CheckPlugin,
  type CheckResult,
  type PluginContext,
} from '../../../app/plugin-host/index.js';
import { DnsConfig } from './dns.config.js';
import { dnsForm } from './dns.form.js';
import { answerMatches, isDomainName, parseResolver, type RecordType } from './dns-names.js';

/** c-ares gives up on a single try after this long at most; the check asks again until its own timeout. */
const TRY_TIMEOUT_MS = 2000;
const MIN_TRY_MS = 100;
const ANSWERS_IN_MESSAGE = 5;

/**
 * One DNS query (A, AAAA, CNAME, MX, TXT or NS) against the given resolver or the system's: answers that
 * hold every expected one are up; NXDOMAIN, no record, SERVFAIL, REFUSED, no answer or a missing expected
 * answer are down. Latency is the time to the answer.
 */
@Check({
  id: 'dns',
  title: 'DNS',
  config: DnsConfig,
  example: { record_type: 'A', resolver: '127.0.0.1:5353', expected: ['192.0.2.10'] },
  target: { label: 'Domain name', placeholder: 'www.example.org' },
  form: dnsForm,
})
@Injectable()
export class DnsCheck implements CheckPlugin<DnsConfig> {
  validateTarget(target: string): string | null {
    return isDomainName(target.trim()) ? null : 'must be a domain name (no IP address, port or URL), e.g. "www.example.org"';
  }

  async run(target: string, config: DnsConfig, context: PluginContext): Promise<CheckResult> {
    const name = target.trim();
    if (!isDomainName(name)) return { status: 'down', latencyMs: null, message: `invalid target "${target}"` };
    const server = config.resolver === '' ? null : parseResolver(config.resolver);
    if (config.resolver !== '' && server === null)
      return { status: 'down', latencyMs: null, message: `invalid resolver "${config.resolver}"` };

    const resolver = new Resolver({ timeout: Math.min(TRY_TIMEOUT_MS, context.timeoutMs), tries: 1 });
    if (server !== null) resolver.setServers([server]);
    const asked = server ?? 'the system resolver';
    const details: Record<string, unknown> = {
      record_type: config.record_type,
      resolver: server ?? 'system',
      servers: resolver.getServers(),
    };
    const onAbort = () => resolver.cancel();
    context.signal.addEventListener('abort', onAbort, { once: true });
    const started = performance.now();
    try {
      for (;;) {
        if (context.signal.aborted) return { ...noAnswer(context), details };
        const tryStarted = performance.now();
        try {
          const answers = await query(resolver, config.record_type, name);
          return judge(answers, config, roundMs(performance.now() - started), details);
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code;
          // A lost datagram is normal for UDP: ask again (as any stub resolver would) until the monitor's timeout.
          // A try that "timed out" at once would only spin, so that one is reported instead.
          if (code === 'ETIMEOUT' && !context.signal.aborted && performance.now() - tryStarted >= MIN_TRY_MS) continue;
          if (context.signal.aborted) return { ...noAnswer(context), details };
          return {
            status: 'down',
            latencyMs: null,
            message: describeDnsError(code, name, config.record_type, asked),
            details: { ...details, code },
          };
        }
      }
    } finally {
      context.signal.removeEventListener('abort', onAbort);
    }
  }
}

/** Answers as text: addresses, names, `10 mail.example.org` for MX, TXT strings with their chunks joined. */
async function query(resolver: Resolver, type: RecordType, name: string): Promise<string[]> {
  switch (type) {
    case 'A':
      return resolver.resolve4(name);
    case 'AAAA':
      return resolver.resolve6(name);
    case 'CNAME':
      return resolver.resolveCname(name);
    case 'NS':
      return resolver.resolveNs(name);
    case 'MX':
      return (await resolver.resolveMx(name)).sort((a, b) => a.priority - b.priority).map((mx) => `${mx.priority} ${mx.exchange}`);
    case 'TXT':
      return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  }
}

function judge(answers: string[], config: DnsConfig, latencyMs: number, details: Record<string, unknown>): CheckResult {
  const seen = listAnswers(config.record_type, answers);
  const missing = config.expected.filter((expected) => !answers.some((answer) => answerMatches(config.record_type, answer, expected)));
  const withAnswers = { ...details, answers };
  if (missing.length > 0) {
    const which = missing.map((item) => quoteTxt(config.record_type, item)).join(', ');
    return {
      status: 'down',
      latencyMs,
      message: cleanLine(`${config.record_type}: expected ${which} missing; got ${seen}`, 500),
      details: { ...withAnswers, missing },
    };
  }
  return { status: 'up', latencyMs, message: cleanLine(`${config.record_type}: ${seen}`, 500), details: withAnswers };
}

function listAnswers(type: RecordType, answers: string[]): string {
  if (answers.length === 0) return 'no answers';
  const shown = answers.slice(0, ANSWERS_IN_MESSAGE).map((answer) => quoteTxt(type, answer));
  return shown.join(', ') + (answers.length > ANSWERS_IN_MESSAGE ? ` (+${answers.length - ANSWERS_IN_MESSAGE} more)` : '');
}

function quoteTxt(type: RecordType, text: string): string {
  return type === 'TXT' ? JSON.stringify(text) : text;
}

/** c-ares error codes (node:dns) in words. */
export function describeDnsError(code: string | undefined, name: string, type: RecordType, asked: string): string {
  switch (code) {
    case 'ENOTFOUND':
      return `NXDOMAIN: ${name} does not exist`;
    case 'ENODATA':
      return `no ${type} record for ${name}`;
    case 'ESERVFAIL':
      return `SERVFAIL from ${asked}`;
    case 'EREFUSED':
      return `REFUSED by ${asked}`;
    case 'ECONNREFUSED':
      return `connection refused by ${asked}`;
    case 'ETIMEOUT':
      return `no answer from ${asked}`;
    case 'EBADRESP':
    case 'EFORMERR':
      return `malformed answer from ${asked}`;
    case 'ENOTIMP':
      return `${asked} does not implement ${type} queries`;
    default:
      return `DNS error ${code ?? 'unknown'} asking ${asked}`;
  }
}
