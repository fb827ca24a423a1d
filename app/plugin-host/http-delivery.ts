import http from 'node:http';
import https from 'node:https';
import { PluginError, type PluginContext } from './contracts.js';
import { AddressRefusedError, DEFAULT_NETWORK_POLICY, type NetworkPolicy } from './network-policy.js';

/** SPEC §13: at most this much of a receiver's answer is read; then the connection is dropped. */
export const ANSWER_LIMIT_BYTES = 64 * 1024;

interface Answer {
  status: number;
  location: string | undefined;
  /** The first ANSWER_LIMIT_BYTES of the body at most. */
  body: string;
}

/**
 * POSTs a body for an alerter (webhooks, Slack, Mailgun) and classifies the outcome the way core's retry
 * policy needs it: 5xx, 408, 429, timeouts and network errors are temporary; other 4xx, redirects and
 * addresses the network policy refuses are permanent. Redirects are never followed.
 */
export async function postForAlert(
  url: string,
  body: string,
  headers: Record<string, string>,
  context: PluginContext,
  what: string,
): Promise<void> {
  let answer: Answer;
  try {
    answer = await post(new URL(url), body, headers, context.network ?? DEFAULT_NETWORK_POLICY, context.signal);
  } catch (error) {
    if (error instanceof AddressRefusedError) throw new PluginError(`${what} refused: ${error.message}`, false);
    if (context.signal.aborted) throw new PluginError(`${what} gave no answer within ${context.timeoutMs} ms`, true);
    const problem = error as NodeJS.ErrnoException;
    throw new PluginError(`${what} unreachable: ${problem.code ?? problem.message}`, true);
  }
  if (answer.status >= 200 && answer.status < 300) return;
  if (answer.status >= 300 && answer.status < 400) {
    throw new PluginError(
      `${what} answered HTTP ${answer.status} (a redirect to ${(answer.location ?? '?').slice(0, 200)}); configure the final URL`,
      false,
    );
  }
  const detail = answer.body.replace(/\s+/g, ' ').trim().slice(0, 200);
  const temporary = answer.status >= 500 || answer.status === 429 || answer.status === 408;
  throw new PluginError(`${what} answered HTTP ${answer.status}${detail ? `: ${detail}` : ''}`, temporary);
}

/**
 * One POST on its own connection: the host is checked (IP literals here, names in `lookup` at connect
 * time), and the answer is read up to ANSWER_LIMIT_BYTES, after which the connection is destroyed.
 */
function post(url: URL, body: string, headers: Record<string, string>, network: NetworkPolicy, signal: AbortSignal): Promise<Answer> {
  return new Promise((resolve, reject) => {
    network.assertHost(url.hostname);
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: network.lookup,
        agent: false,
        signal,
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const done = () =>
          resolve({ status: response.statusCode ?? 0, location: response.headers.location, body: Buffer.concat(chunks).toString('utf8') });
        response.on('data', (chunk: Buffer) => {
          const room = ANSWER_LIMIT_BYTES - size;
          if (room > 0) chunks.push(chunk.subarray(0, room));
          size += Math.min(room, chunk.length);
          if (size >= ANSWER_LIMIT_BYTES) {
            done();
            // The rest is never read: closing the connection stops the receiver from sending it.
            request.destroy();
          }
        });
        response.once('end', done);
        // An answer cut short (the receiver hung up, or the timeout aborted the read) counts with what came.
        response.once('close', done);
        response.once('error', () => undefined);
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}
