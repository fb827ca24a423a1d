import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller.js';
import { MetricsService } from './metrics.service.js';

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

/** For executables without HTTP endpoints of their own (admin-token command). */
@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsRegistryModule {}
