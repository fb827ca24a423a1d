import { Module } from '@nestjs/common';
import { DnsCheck } from './dns.check.js';

@Module({ providers: [DnsCheck] })
export default class DnsCheckModule {}
