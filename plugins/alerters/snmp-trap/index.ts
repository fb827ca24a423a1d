import { Module } from '@nestjs/common';
import { SnmpTrapAlerter } from './snmp-trap.alerter.js';

@Module({ providers: [SnmpTrapAlerter] })
export default class SnmpTrapAlerterModule {}
