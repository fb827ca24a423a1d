import { Module } from '@nestjs/common';
import { NagiosCheck } from './nagios.check.js';

@Module({ providers: [NagiosCheck] })
export default class NagiosCheckModule {}
