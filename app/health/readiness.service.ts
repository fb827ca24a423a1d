import { Injectable } from '@nestjs/common';

/** true when fine; false, or a sentence saying why, when not. */
export type ReadinessProbe = () => boolean | string | Promise<boolean | string>;

export interface Readiness {
  ready: boolean;
  checks: Record<string, 'ok' | 'failing'>;
  /** Why each failing check fails, when its probe said. */
  reasons?: Record<string, string>;
}

const PROBE_TIMEOUT_MS = 2000;

/**
 * What /readyz asks. Components that must be up for Pulse to do its job (the database, each
 * listener) register a probe when they start.
 */
@Injectable()
export class ReadinessService {
  private readonly probes = new Map<string, ReadinessProbe>();

  register(name: string, probe: ReadinessProbe): void {
    this.probes.set(name, probe);
  }

  async check(): Promise<Readiness> {
    const checks: Record<string, 'ok' | 'failing'> = {};
    const reasons: Record<string, string> = {};
    for (const [name, probe] of this.probes) {
      let outcome: boolean | string = false;
      try {
        outcome = await Promise.race([
          Promise.resolve(probe()),
          new Promise<string>((resolve) => setTimeout(resolve, PROBE_TIMEOUT_MS, `no answer within ${PROBE_TIMEOUT_MS} ms`).unref()),
        ]);
      } catch (error) {
        outcome = error instanceof Error ? error.message : String(error);
      }
      checks[name] = outcome === true ? 'ok' : 'failing';
      if (typeof outcome === 'string') reasons[name] = outcome;
    }
    const ready = Object.values(checks).every((state) => state === 'ok');
    return Object.keys(reasons).length > 0 ? { ready, checks, reasons } : { ready, checks };
  }
}
