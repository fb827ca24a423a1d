import { Module } from '@nestjs/common';
import { WebhookAlerter } from './webhook.alerter.js';

@Module({ providers: [WebhookAlerter] })
export default class WebhookAlerterModule {}
