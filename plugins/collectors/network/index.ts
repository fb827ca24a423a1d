import { Module } from '@nestjs/common';
import { NetworkCollector } from './network.collector.js';

@Module({ providers: [NetworkCollector] })
export default class NetworkCollectorModule {}
