import { Module } from '@nestjs/common';
import { PingCheck } from './ping.check.js';

@Module({ providers: [PingCheck] })
export default class PingCheckModule {}
