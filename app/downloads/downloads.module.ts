import { Module } from '@nestjs/common';
import { DownloadsController } from './downloads.controller.js';
import { DownloadsService } from './downloads.service.js';

/** The curl-piped installers and the agent and poller executables they download (SPEC §9). */
@Module({ controllers: [DownloadsController], providers: [DownloadsService] })
export class DownloadsModule {}
