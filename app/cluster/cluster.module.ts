import { Global, Module } from '@nestjs/common';
import { ClusterBus } from './cluster-bus.js';
import { ClusterController } from './cluster.controller.js';
import { ClusterPages } from './cluster.pages.js';
import { ClusterQuery } from './cluster.query.js';
import { ClusterRepository } from './cluster.repository.js';
import { ClusterService } from './cluster.service.js';
import { Ownership } from './ownership.js';

/**
 * Several servers on one PostgreSQL (SPEC §12): membership, shard leases and fencing (Ownership), the
 * LISTEN/NOTIFY bus (ClusterBus), and GET /api/cluster. Global: every feature that decides asks it.
 */
@Global()
@Module({
  controllers: [ClusterController, ClusterPages],
  providers: [
    ClusterRepository,
    ClusterService,
    ClusterQuery,
    { provide: Ownership, useExisting: ClusterService },
    { provide: ClusterBus, inject: [ClusterService], useFactory: (cluster: ClusterService) => cluster.bus },
  ],
  exports: [Ownership, ClusterBus, ClusterService, ClusterQuery],
})
export class ClusterModule {}
