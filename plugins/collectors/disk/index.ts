import { Module } from '@nestjs/common';
import { DiskCollector } from './disk.collector.js';

@Module({ providers: [DiskCollector] })
export default class DiskCollectorModule {}
