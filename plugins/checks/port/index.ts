import { Module } from '@nestjs/common';
import { PortCheck } from './port.check.js';

@Module({ providers: [PortCheck] })
export default class PortCheckModule {}
