import { Global, Module } from '@nestjs/common';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { ServiceGroups } from '../heartbeats/service-groups.js';
import { AlarmEngine } from './alarm-engine.js';
import { AlarmRepository } from './alarm.repository.js';
import { AlarmsController } from './alarms.controller.js';
import { AlarmsPages } from './alarms.pages.js';
import { AlarmsQuery } from './alarms.query.js';
import { AlarmsService } from './alarms.service.js';

/**
 * Heartbeat alarms (SPEC §6): the alarm engine, /api/alarms, the console's Alarms page and the AlarmsQuery. Global because the
 * heartbeat engine reaches it through the ServiceGroups port it provides (heartbeats never import alarms).
 */
@Global()
@Module({
  imports: [HeartbeatsModule],
  controllers: [AlarmsController, AlarmsPages],
  providers: [AlarmRepository, AlarmEngine, AlarmsQuery, AlarmsService, { provide: ServiceGroups, useExisting: AlarmEngine }],
  exports: [ServiceGroups, AlarmEngine, AlarmsQuery],
})
export class AlarmsModule {}
