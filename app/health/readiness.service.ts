import { Injectable } from '@nestjs/common';

export type ReadinessProbe = () => boolean | Promise<boolean>;

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

  async check(): Promise<{ ready: boolean; checks: Record<string, 'ok' | 'failing'> }> {
    const checks: Record<string, 'ok' | 'failing'> = {};
    for (const [name, probe] of this.probes) {
      let ok = false;
      try {
        ok = await Promise.race([Promise.resolve(probe()), new Promise<boolean>((resolve) => setTimeout(resolve, 2000, false).unref())]);
      } catch {
        ok = false;
      }
      checks[name] = ok ? 'ok' : 'failing';
    }
    return { ready: Object.values(checks).every((state) => state === 'ok'), checks };
  }
}
