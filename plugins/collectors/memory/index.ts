import { Module } from '@nestjs/common';
import { MemoryCollector } from './memory.collector.js';

@Module({ providers: [MemoryCollector] })
export default class MemoryCollectorModule {}
