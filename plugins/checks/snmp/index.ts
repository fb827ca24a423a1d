import { Module } from '@nestjs/common';
import { SnmpCheck } from './snmp.check.js';

@Module({ providers: [SnmpCheck] })
export default class SnmpCheckModule {}
