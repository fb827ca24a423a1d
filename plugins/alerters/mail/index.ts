import { Module } from '@nestjs/common';
import { MailAlerter } from './mail.alerter.js';

@Module({ providers: [MailAlerter] })
export default class MailAlerterModule {}
