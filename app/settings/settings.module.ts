import { Module } from '@nestjs/common';
import { SettingsPages } from './settings.pages.js';

/** The console's Settings page: the effective configuration, read-only, secrets masked. */
@Module({ controllers: [SettingsPages] })
export class SettingsModule {}
