import { Module } from '@nestjs/common';
import { LoadCollector } from './load.collector.js';

@Module({ providers: [LoadCollector] })
export default class LoadCollectorModule {}
