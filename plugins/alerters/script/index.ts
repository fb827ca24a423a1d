import { Module } from '@nestjs/common';
import { ScriptAlerter } from './script.alerter.js';

@Module({ providers: [ScriptAlerter] })
export default class ScriptAlerterModule {}
