import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { PulseLogger } from '../logging/pulse-logger.js';
import { Clock } from '../runtime/clock.js';
import { configSections } from './config-core.js';

/**
 * The loaded configuration, the process logger and the clock, injectable everywhere. Each `[section]` is
 * a provider of its own (inject `MonitorsSection`, `HttpSection`, …): a class asks for the settings it
 * uses, not the whole file. The whole object stays injectable under its class for what spans sections.
 */
@Global()
@Module({})
export class ConfigModule {
  /** `read`: what was read beyond the schema with the plugins' declarations (AlertFileConfig), each injectable by its class. */
  static forRoot(config: object, logger: PulseLogger, read: readonly object[] = []): DynamicModule {
    const sections: Provider[] = configSections(config).map(([, section]) => ({ provide: section.constructor, useValue: section }));
    const providers: Provider[] = [
      { provide: config.constructor, useValue: config },
      ...sections,
      ...read.map((value) => ({ provide: value.constructor, useValue: value })),
      { provide: PULSE_LOGGER, useValue: logger },
      Clock,
    ];
    return {
      module: ConfigModule,
      providers,
      exports: providers.map((provider) => ('provide' in provider ? provider.provide : provider)),
    };
  }
}

export const PULSE_LOGGER = Symbol('PULSE_LOGGER');
