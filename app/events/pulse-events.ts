import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';

/**
 * Every event in the server, by dotted name. Features add their events from their own folder by
 * augmenting this interface, e.g. in app/monitors/monitor.events.ts:
 *
 *   declare module '../events/pulse-events.js' {
 *     interface PulseEvents { 'monitor.state-changed': MonitorStateChanged }
 *   }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PulseEvents {}

export type PulseEventName = keyof PulseEvents;

/** Typed emit; delivery is synchronous to listeners, which should hand long work off (alert queue). */
@Injectable()
export class EventBus {
  constructor(private readonly emitter: EventEmitter2) {}

  emit<K extends PulseEventName>(name: K, payload: PulseEvents[K]): void {
    this.emitter.emit(name, payload);
  }
}

/** Marks a provider method as the handler of a Pulse event (name it `onX`). Errors are logged, not thrown at the emitter. */
export function OnPulseEvent<K extends PulseEventName>(name: K): MethodDecorator {
  return OnEvent(name, { suppressErrors: true });
}
