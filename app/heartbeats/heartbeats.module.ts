import { Module } from '@nestjs/common';
import { AlarmsController } from '../alarms/alarms.controller.js';
import { AlarmsService } from '../alarms/alarms.service.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { BeatRoutes } from './beat-routes.js';
import { ForgetUnseenTask } from './forget-unseen.task.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { HeartbeatMaintenance } from './heartbeat-maintenance.js';
import { HeartbeatMaintenanceListener } from './heartbeat-maintenance.listener.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { HeartbeatsController } from './heartbeats.controller.js';
import { HeartbeatsService } from './heartbeats.service.js';

/** Heartbeat services and their alarms (SPEC §6): the state engine and the HTTP API. */
@Module({
  imports: [TokensModule],
  controllers: [HeartbeatsController, AlarmsController],
  providers: [
    HeartbeatRepository,
    HeartbeatStore,
    HeartbeatMaintenance,
    HeartbeatMaintenanceListener,
    HeartbeatEngine,
    HeartbeatsService,
    AlarmsService,
    BeatRoutes,
    ForgetUnseenTask,
  ],
  exports: [HeartbeatEngine, HeartbeatMaintenance],
})
export class HeartbeatsModule {}
