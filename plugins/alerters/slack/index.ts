import { Module } from '@nestjs/common';
import { SlackAlerter } from './slack.alerter.js';

@Module({ providers: [SlackAlerter] })
export default class SlackAlerterModule {}
