import { Module } from '@nestjs/common';
import { HeartbeatsModule } from '../heartbeats/heartbeats.module.js';
import { SnapshotRepository } from './snapshot.repository.js';
import { SnapshotService } from './snapshot.service.js';

@Module({ imports: [HeartbeatsModule], providers: [SnapshotRepository, SnapshotService] })
export class SnapshotModule {}
