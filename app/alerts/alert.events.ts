import type { DeliveryStatus } from './alert-delivery.entity.js';

/**
 * A delivery in the alert queue changed status: queued (pending or held for a digest), taken by a worker
 * (sending), sent, retried (pending again), failed, summed up in a digest, or cancelled. The console's
 * delivery log refreshes on it; it carries no message or error text.
 */
export interface AlertDeliveryChanged {
  /** The delivery, or null when several changed at once (a channel's queue cancelled). */
  id: number | null;
  channel: string;
  status: DeliveryStatus;
}

declare module '../events/pulse-events.js' {
  interface PulseEvents {
    'alert.delivery-changed': AlertDeliveryChanged;
  }
}
