import { Module } from '@nestjs/common';
import { TokensModule } from '../tokens/tokens.module.js';
import { BeatRoutes } from './beat-routes.js';
import { ForgetUnseenTask } from './forget-unseen.task.js';
import { HeartbeatCluster } from './heartbeat-cluster.js';
import { HeartbeatEngine } from './heartbeat-engine.js';
import { HeartbeatForwarder } from './heartbeat-forwarder.js';
import { HeartbeatMaintenance } from './heartbeat-maintenance.js';
import { HeartbeatMaintenanceListener } from './heartbeat-maintenance.listener.js';
import { HeartbeatRepository } from './heartbeat.repository.js';
import { HeartbeatStore } from './heartbeat-store.js';
import { HeartbeatsController } from './heartbeats.controller.js';
import { HeartbeatsPages } from './heartbeats.pages.js';
import { HeartbeatsService } from './heartbeats.service.js';
import { ServicesQuery } from './services.query.js';

/** Heartbeat services (SPEC §6): the state engine, the ServicesQuery and the HTTP API. Alarms are their own module. */
@Module({
  imports: [TokensModule],
  controllers: [HeartbeatsController, HeartbeatsPages],
  providers: [
    HeartbeatRepository,
    HeartbeatStore,
    HeartbeatMaintenance,
    HeartbeatMaintenanceListener,
    HeartbeatEngine,
    HeartbeatForwarder,
    HeartbeatCluster,
    HeartbeatsService,
    ServicesQuery,
    BeatRoutes,
    ForgetUnseenTask,
  ],
  exports: [HeartbeatEngine, HeartbeatMaintenance, ServicesQuery],
})
export class HeartbeatsModule {}
