import { Injectable } from '@nestjs/common';
import { isIP } from 'node:net';
import { abortableCheck, Check, roundMs, type CheckPlugin, type CheckResult, type PluginContext } from '../../../app/plugin-host/index.js';
import { FpingBatcher } from './fping-batcher.js';
import { PingConfig } from './ping.config.js';
import { pingForm } from './ping.form.js';

const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** ICMP echo through fping: every reply back is up, some lost a warning, all lost down; latency is the average RTT. */
@Check({
  id: 'ping',
  title: 'Ping',
  config: PingConfig,
  example: { count: 5 },
  target: { label: 'Host name or IP address', placeholder: 'router.example.com' },
  form: pingForm,
})
@Injectable()
export class PingCheck implements CheckPlugin<PingConfig> {
  private readonly fping = new FpingBatcher();

  validateTarget(target: string): string | null {
    return isIP(target) || HOST_NAME.test(target)
      ? null
      : 'must be a host name or an IP address (no port, no URL), e.g. "router.example.com" or "10.0.0.1"';
  }

  async run(target: string, config: PingConfig, context: PluginContext): Promise<CheckResult> {
    if (this.validateTarget(target) !== null) return { status: 'down', latencyMs: null, message: `invalid target "${target}"` };
    return abortableCheck(context, (finish) => {
      void this.fping
        .ping({ host: target, count: config.count, timeoutMs: context.timeoutMs, signal: context.signal })
        .then((outcome) => finish(outcome.ok ? judge(outcome.rtts) : { status: 'down', latencyMs: null, message: outcome.message }));
    });
  }
}

export function judge(rtts: (number | null)[]): CheckResult {
  const received = rtts.filter((rtt): rtt is number => rtt !== null);
  const lost = rtts.length - received.length;
  const loss = `${lost}/${rtts.length} packets lost`;
  const details = {
    sent: rtts.length,
    received: received.length,
    loss_percent: Math.round((lost / rtts.length) * 100),
    rtt_ms: rtts,
    min_ms: received.length ? Math.min(...received) : null,
    max_ms: received.length ? Math.max(...received) : null,
  };
  if (received.length === 0) return { status: 'down', latencyMs: null, message: loss, details };
  const average = roundMs(received.reduce((sum, rtt) => sum + rtt, 0) / received.length);
  return { status: lost === 0 ? 'up' : 'warning', latencyMs: average, message: `${loss}, avg ${average} ms`, details };
}
