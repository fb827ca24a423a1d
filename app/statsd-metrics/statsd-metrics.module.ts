import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { StatsdModule } from '../statsd/statsd.module.js';
import { StatsdMetricsService } from './statsd-metrics.service.js';

@Module({ imports: [HeartbeatsModule, AlarmsModule, StatsdModule], providers: [StatsdMetricsService] })
export class StatsdMetricsModule {}
