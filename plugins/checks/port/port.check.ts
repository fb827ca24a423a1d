import { Injectable } from '@nestjs/common';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
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
import { PortConfig } from './port.config.js';
import { portForm } from './port.form.js';

/** TCP connect to host:port within the monitor's timeout: open → up, anything else → down. */
@Check({
  id: 'port',
  title: 'TCP port',
  config: PortConfig,
  example: {},
  target: { label: 'Host and port', placeholder: 'db.example.com:5432' },
  form: portForm,
})
@Injectable()
export class PortCheck implements CheckPlugin<PortConfig> {
  validateTarget(target: string): string | null {
    return parseHostPort(target) ? null : 'must be "host:port" with a port 1-65535, e.g. "db.example.com:5432" or "[2001:db8::1]:22"';
  }

  run(target: string, _config: PortConfig, context: PluginContext): Promise<CheckResult> {
    const address = parseHostPort(target);
    if (!address) return Promise.resolve({ status: 'down', latencyMs: null, message: `invalid target "${target}"` });
    const { host, port } = address;

    return abortableCheck(context, (finish) => {
      const started = performance.now();
      const socket = net.connect({ host, port });
      socket.once('connect', () => {
        const latencyMs = roundMs(performance.now() - started);
        finish({ status: 'up', latencyMs, message: `port ${port} open`, details: { remote_address: socket.remoteAddress } });
      });
      socket.once('error', (error: NodeJS.ErrnoException) => {
        finish({ status: 'down', latencyMs: null, message: describeNetworkError(error, host), details: { code: error.code } });
      });
      return () => socket.destroy();
    });
  }
}
