import { Module } from '@nestjs/common';
import { EventlogService } from './eventlog.service.js';

@Module({ providers: [EventlogService] })
export class EventlogModule {}
