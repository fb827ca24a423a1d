import { Module } from '@nestjs/common';
import { AlertChannelChoices } from '../alarms/alert-channel-choices.js';
import { AlertChannelChoicesProvider } from './alert-channel-choices.provider.js';
import { AlertChannelRepository } from './alert-channel.repository.js';
import { AlertChannelsService } from './alert-channels.service.js';
import { AlertDeliveryRepository } from './alert-delivery.repository.js';
import { AlertDispatcher } from './alert-dispatcher.service.js';
import { AlertQueueService } from './alert-queue.service.js';
import { AlertRoutingService } from './alert-routing.service.js';
import { AlertsController } from './alerts.controller.js';
import { AlertsPages } from './alerts.pages.js';
import { AlertsService } from './alerts.service.js';

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
    // The alarm form's alert channels (alarms define the port, alerts provide it).
    { provide: AlertChannelChoices, useClass: AlertChannelChoicesProvider },
  ],
  exports: [AlertDispatcher, AlertChannelsService],
})
export class AlertsModule {}
