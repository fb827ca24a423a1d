import { PluginError, type PluginContext } from './contracts.js';

/**
 * POSTs a body for an alerter (webhooks, Slack) and classifies the outcome the way core's retry policy
 * needs it: 5xx, 408, 429, timeouts and network errors are temporary; other 4xx and redirects permanent.
 */
export async function postForAlert(
  url: string,
  body: string,
  headers: Record<string, string>,
  context: PluginContext,
  what: string,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers, body, signal: context.signal, redirect: 'manual' });
  } catch (error) {
    if (context.signal.aborted) throw new PluginError(`${what} gave no answer within ${context.timeoutMs} ms`, true);
    const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
    throw new PluginError(`${what} unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`, true);
  }
  const detail = (await response.text().catch(() => '')).replace(/\s+/g, ' ').trim().slice(0, 200);
  if (response.ok) return;
  if (response.status >= 300 && response.status < 400) {
    throw new PluginError(
      `${what} answered HTTP ${response.status} (a redirect to ${response.headers.get('location') ?? '?'}); configure the final URL`,
      false,
    );
  }
  const temporary = response.status >= 500 || response.status === 429 || response.status === 408;
  throw new PluginError(`${what} answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`, temporary);
}
