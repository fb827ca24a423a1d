import { Module } from '@nestjs/common';
import { SslCheck } from './ssl.check.js';

@Module({ providers: [SslCheck] })
export default class SslCheckModule {}
