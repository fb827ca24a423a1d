import { Module } from '@nestjs/common';
import { CpuCollector } from './cpu.collector.js';

@Module({ providers: [CpuCollector] })
export default class CpuCollectorModule {}
