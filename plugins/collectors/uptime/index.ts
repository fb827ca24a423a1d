import { Module } from '@nestjs/common';
import { UptimeCollector } from './uptime.collector.js';

@Module({ providers: [UptimeCollector] })
export default class UptimeCollectorModule {}
