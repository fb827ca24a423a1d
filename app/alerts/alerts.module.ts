import { Global, Module } from '@nestjs/common';
import { AlertChannelChoices } from '../alarms/alert-channel-choices.js';
import { AlertChannelLookup } from '../monitors/alert-channel-lookup.js';
import { AlertChannelChoicesProvider } from './alert-channel-choices.provider.js';
import { AlertChannelRepository } from './alert-channel.repository.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertDeliveryRepository } from './alert-delivery.repository.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { AlertRoutingService } from './alert-routing.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsPages } from './alerts.pages.js';
import { AlertsQuery } from './alerts.query.js';
import { AlertsService } from './alerts.service.js';

/** Global for what other features ask of it: whether an alert channel exists (AlertChannelLookup), and the AlertsQuery for the console. */
@Global()
@Module({
  controllers: [AlertsController, AlertsPages],
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
    // The alarm form's alert channels (alarms define the port, alerts provide it).
    { provide: AlertChannelChoices, useClass: AlertChannelChoicesProvider },
  ],
  exports: [AlertChannelLookup, AlertsQuery],
})
export class AlertsModule {}
