import { Global, Module } from '@nestjs/common';
import { AlertChannelLookup } from '../monitors/alert-channel-lookup.js';
import { AlertChannelRepository } from './alert-channel.repository.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertDeliveryRepository } from './alert-delivery.repository.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { AlertRoutingService } from './alert-routing.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsQuery } from './alerts.query.js';
import { AlertsService } from './alerts.service.js';

/** Global for what other features ask of it: whether an alert channel exists (AlertChannelLookup), and the AlertsQuery for the console. */
@Global()
@Module({
  controllers: [AlertsController],
  providers: [
    AlertChannelRepository,
    AlertDeliveryRepository,
    AlertChannelsService,
    AlertQueueService,
    AlertDispatcher,
    AlertRoutingService,
    AlertsService,
    AlertsQuery,
    { provide: AlertChannelLookup, useExisting: AlertChannelsService },
  ],
  exports: [AlertChannelLookup, AlertsQuery],
})
export class AlertsModule {}
