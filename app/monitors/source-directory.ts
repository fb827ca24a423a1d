import { Injectable } from '@nestjs/common';
import { PUBLIC_SOURCE } from './live-monitor.js';

/** What a monitor shows of a source that is not the server itself. */
export interface PollerSourceInfo {
  name: string;
  location: string;
  /** Judged offline (not heard from for 90 s): its results are not fresh, whatever their age. */
  offline: boolean;
}

/**
 * The registered pollers as monitors see them: names and locations for the sources, whether a source's
 * poller is offline (its source is then `unknown`), and whether a poller id exists at all (monitors may only
 * name existing pollers). The pollers feature keeps it up to date; monitors never read its tables.
 */
@Injectable()
export class SourceDirectory {
  private readonly pollers = new Map<number, PollerSourceInfo>();
  /** Asks the pollers feature about a poller not (yet) known here: another server may have just registered it. */
  private lookUp: ((id: number) => Promise<boolean>) | null = null;

  /** The pollers feature's way to find a poller this directory has not been told of (it holds it if found). */
  setLookUp(lookUp: (id: number) => Promise<boolean>): void {
    this.lookUp = lookUp;
  }

  setPoller(id: number, info: PollerSourceInfo): void {
    this.pollers.set(id, { ...info });
  }

  removePoller(id: number): void {
    this.pollers.delete(id);
  }

  hasPoller(id: number): boolean {
    return this.pollers.has(id);
  }

  /** Whether a poller exists: known here, or found by the pollers feature (registered through another server). */
  async pollerExists(id: number): Promise<boolean> {
    if (this.pollers.has(id)) return true;
    return (await this.lookUp?.(id)) ?? false;
  }

  /** Display name and location of `public` or `poller:<id>`. */
  describe(source: string): { name: string; location: string | null } {
    if (source === PUBLIC_SOURCE) return { name: 'Public', location: null };
    const id = pollerIdOf(source);
    const poller = id === null ? undefined : this.pollers.get(id);
    if (!poller) return { name: `Poller ${id ?? source} (deleted)`, location: null };
    return { name: poller.name, location: poller.location || null };
  }

  /** A source whose poller is offline or gone has no fresh results. */
  isOffline(source: string): boolean {
    if (source === PUBLIC_SOURCE) return false;
    const id = pollerIdOf(source);
    const poller = id === null ? undefined : this.pollers.get(id);
    return !poller || poller.offline;
  }
}

export const pollerSource = (pollerId: number) => `poller:${pollerId}`;

export function pollerIdOf(source: string): number | null {
  const match = /^poller:(\d+)$/.exec(source);
  return match ? Number(match[1]) : null;
}
