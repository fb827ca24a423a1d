import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsString, Length, Max, MaxLength, Min } from 'class-validator';
import { MAX_ID } from '../http/id-param.js';
import { PageQuery } from '../http/paging.js';
import { Optional } from '../http/validation.js';
import { DELIVERY_STATUSES, type AlertDelivery, type DeliveryStatus } from './alert-delivery.entity.js';
import type { AlertAttempt } from './alert-attempt.entity.js';
import type { AlertEvent } from '../plugin-host/contracts.js';

export class AlertChannelDto {
  @Length(1, 100, { message: 'must be 1 to 100 characters' }) @IsString({ message: 'must be a string' }) name!: string;
  /** The alerter: mail, webhook, slack, script, snmp-trap (or a plugin's id). */
  @Length(1, 32, { message: 'must be an alerter id' }) @IsString({ message: 'must be a string' }) type!: string;
  @IsObject({ message: 'must be an object with the alerter settings' }) settings!: Record<string, unknown>;
  @Optional() @IsBoolean({ message: 'must be true or false' }) default?: boolean;
}

export class ListChannelsQuery extends PageQuery {
  @MaxLength(100, { message: 'must be at most 100 characters' })
  @IsString({ message: 'must be text to search for' })
  @Optional()
  q?: string;

  @Length(1, 32, { message: 'must be an alerter id' })
  @IsString({ message: 'must be an alerter id' })
  @Optional()
  type?: string;

  @IsIn(['config', 'api'], { message: 'must be "config" or "api"' })
  @Optional()
  source?: 'config' | 'api';
}

/** GET /api/alerts/deliveries: `limit` is the older name of `per_page`; `before` pages backwards by id. */
export class DeliveriesQuery extends PageQuery {
  @Optional() @IsString({ message: 'must be a channel name' }) channel?: string;
  @Optional() @IsIn(DELIVERY_STATUSES, { message: `must be one of ${DELIVERY_STATUSES.join(', ')}` }) status?: DeliveryStatus;
  /** Deliveries with a smaller id than this (paging backwards through the log). */
  @Optional()
  @Type(() => Number)
  @Max(MAX_ID, { message: 'must be a delivery id' })
  @Min(1, { message: 'must be a delivery id' })
  @IsInt({ message: 'must be a whole number' })
  before?: number;
  @Optional()
  @Type(() => Number)
  @Max(500, { message: 'must be at most 500' })
  @Min(1, { message: 'must be at least 1' })
  @IsInt({ message: 'must be a whole number' })
  limit?: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery in the log as the API and the console show it. */
export type DeliveryView = ReturnType<typeof deliveryView>;

export function deliveryView(delivery: AlertDelivery, attempts: AlertAttempt[]) {
  const event = JSON.parse(delivery.event) as AlertEvent;
  return {
    id: delivery.id,
    channel: delivery.channel,
    type: delivery.targetType,
    status: delivery.status,
    attempts: delivery.attempts,
    created_at: iso(delivery.createdAt),
    next_attempt_at: delivery.status === 'pending' ? iso(delivery.nextAttemptAt) : null,
    delivered_at: iso(delivery.deliveredAt),
    last_error: delivery.lastError,
    digest_id: delivery.digestId,
    event: {
      kind: event.kind,
      id: event.id,
      name: event.name,
      from_state: event.fromState,
      to_state: event.toState,
      incident_number: event.incidentNumber,
      message: event.message,
      at: iso(event.at),
      ...(event.kind === 'digest' ? { events: (event.events ?? []).length } : {}),
    },
    attempt_log: attempts.map((attempt) => ({
      at: iso(attempt.at),
      duration_ms: attempt.durationMs,
      ok: attempt.ok,
      error: attempt.error,
      temporary: attempt.temporary,
    })),
  };
}
