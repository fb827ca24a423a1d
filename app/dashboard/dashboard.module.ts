import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { MonitorsModule } from '../monitors/monitors.module.js';
import { DashboardPages } from './dashboard.pages.js';

/** The console's home page: monitors, heartbeats and alarms at a glance (SPEC §8). Reads the features' query services only. */
@Module({
  imports: [MonitorsModule, HeartbeatsModule, AlarmsModule],
  controllers: [DashboardPages],
})
export class DashboardModule {}
