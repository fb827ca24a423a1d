import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { Clock } from '../runtime/clock.js';
import { PulseConfig } from './config.schema.js';

/** The loaded configuration, the process logger and the clock, injectable everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: PulseConfig, logger: PulseLogger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: PulseConfig, useValue: config }, { provide: PULSE_LOGGER, useValue: logger }, Clock],
      exports: [PulseConfig, PULSE_LOGGER, Clock],
    };
  }
}

export const PULSE_LOGGER = Symbol('PULSE_LOGGER');
