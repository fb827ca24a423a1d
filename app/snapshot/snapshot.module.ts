import { Module } from '@nestjs/common';
import { AlarmsModule } from '../alarms/alarms.module.js';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { SnapshotRepository } from './snapshot.repository.js';
import { SnapshotService } from './snapshot.service.js';

@Module({ imports: [HeartbeatsModule, AlarmsModule], providers: [SnapshotRepository, SnapshotService] })
export class SnapshotModule {}
