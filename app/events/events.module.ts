import { Global, Module } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { EventBus } from './pulse-events.js';

@Global()
@Module({
  imports: [EventEmitterModule.forRoot({ wildcard: false, delimiter: '.', maxListeners: 50 })],
  providers: [EventBus],
  exports: [EventBus],
})
export class EventsModule {}
