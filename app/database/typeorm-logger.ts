import type { Logger as TypeOrmLoggerContract } from 'typeorm';
import type { PulseLogger } from '../logging/pulse-logger.js';

const CONTEXT = 'Database';

/**
 * TypeORM's log calls routed to Pulse's logger. Query text and parameters are never logged: they can
 * carry service names from the network and would drown the log on hot paths.
 */
export class TypeOrmLogger implements TypeOrmLoggerContract {
  constructor(private readonly logger: PulseLogger) {}

  logQuery(): void {}
  logQueryError(error: string | Error, query: string): void {
    const message = error instanceof Error ? error.message : error;
    this.logger.error(`query failed: ${message} (${query.slice(0, 120)})`, CONTEXT);
  }
  logQuerySlow(time: number, query: string): void {
    this.logger.warn(`slow query, ${time} ms: ${query.slice(0, 120)}`, CONTEXT);
  }
  logSchemaBuild(message: string): void {
    this.logger.debug(message, CONTEXT);
  }
  logMigration(message: string): void {
    this.logger.log(message, CONTEXT);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(message, CONTEXT);
    else this.logger.debug(message, CONTEXT);
  }
}
