import net from 'node:net';
import { performance } from 'node:perf_hooks';
import {
  abortableCheck,
  Check,
  cleanLine,
  describeNetworkError,
  parseHostPort,
  roundMs,
  type CheckPlugin,
  type CheckResult,
  type PluginContext,
} from '@lillydoo-pulse/plugin-sdk';
import { TcpBannerConfig } from './tcp-banner.config.js';
import { tcpBannerForm } from './tcp-banner.form.js';

/**
 * Connects to host:port and reads the first line the service sends. Up when a line comes (and contains
 * `expect`, if set); down when the connection fails, the service closes without a line, or the line is
 * not the expected one. It never retries and never decides more than up or down: Pulse does the rest.
 */
@Check({
  id: 'tcp-banner',
  title: 'TCP banner',
  config: TcpBannerConfig,
  example: { expect: 'SSH-2.0', ignore_case: false, max_bytes: 1024 },
  target: { label: 'Host and port', placeholder: 'mail.example.com:25' },
  form: tcpBannerForm,
})
export class TcpBannerCheck implements CheckPlugin<TcpBannerConfig> {
  validateTarget(target: string): string | null {
    return parseHostPort(target) ? null : 'must be "host:port" with a port 1-65535, e.g. "mail.example.com:25" or "[2001:db8::1]:22"';
  }

  run(target: string, config: TcpBannerConfig, context: PluginContext): Promise<CheckResult> {
    const address = parseHostPort(target);
    if (!address) return Promise.resolve({ status: 'down', latencyMs: null, message: `invalid target "${target}"` });
    const { host, port } = address;

    return abortableCheck(context, (finish) => {
      const started = performance.now();
      const chunks: Buffer[] = [];
      let size = 0;
      const socket = net.connect({ host, port });
      const judge = (ended: boolean) => {
        const text = Buffer.concat(chunks).toString('utf8');
        const newline = text.search(/\r?\n/);
        if (newline < 0 && !ended && size < config.max_bytes) return; // the line is not complete yet
        const line = cleanLine(newline < 0 ? text : text.slice(0, newline), 500);
        const latencyMs = roundMs(performance.now() - started);
        if (line === '') return finish({ status: 'down', latencyMs, message: 'closed without sending a banner' });
        const details = { banner: line };
        if (config.expect !== '' && !contains(line, config.expect, config.ignore_case))
          return finish({ status: 'down', latencyMs, message: `banner "${line}" does not contain "${config.expect}"`, details });
        finish({ status: 'up', latencyMs, message: line, details });
      };
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        size += chunk.length;
        judge(false);
      });
      socket.once('end', () => judge(true));
      socket.once('error', (error: NodeJS.ErrnoException) =>
        finish({ status: 'down', latencyMs: null, message: describeNetworkError(error, host), details: { code: error.code } }),
      );
      return () => socket.destroy();
    });
  }
}

function contains(line: string, expected: string, ignoreCase: boolean): boolean {
  return ignoreCase ? line.toLowerCase().includes(expected.toLowerCase()) : line.includes(expected);
}
