import { Module } from '@nestjs/common';
import { HttpCheck } from './http.check.js';

@Module({ providers: [HttpCheck] })
export default class HttpCheckModule {}
