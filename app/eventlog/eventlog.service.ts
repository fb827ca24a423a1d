import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { createWriteStream, existsSync, fchmodSync, mkdirSync, openSync, type WriteStream } from 'node:fs';
import path from 'node:path';
import { fileModeBits } from '../config/config-validators.js';
import { ServerConfig } from '../config/config.schema.js';
import { StartupError } from '../runtime/startup-error.js';
import { OnPulseEvent } from '../events/pulse-events.js';
import type { AlarmStateChanged } from '../alarms/alarm.events.js';
import type { ServiceStateChanged } from '../heartbeats/heartbeat.events.js';

/**
 * `[eventlog] path, mode`: one JSON line per state change of a heartbeat service or alarm, appended to
 * a file created with that mode (Lovebeat writes it as octal digits, `mode = 644`). Empty path: off.
 */
@Injectable()
export class EventlogService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Eventlog');
  private stream: WriteStream | null = null;

  constructor(private readonly config: ServerConfig) {}

  onModuleInit(): void {
    if (this.config.eventlog.path === '') return;
    const file = path.resolve(this.config.data_dir, this.config.eventlog.path);
    const mode = fileModeBits(this.config.eventlog.mode)!;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      const created = !existsSync(file);
      const fd = openSync(file, 'a', mode);
      // The umask would strip bits from the mode asked for; the file should have exactly that mode.
      if (created) fchmodSync(fd, mode);
      this.stream = createWriteStream('', { fd });
      this.stream.on('error', (error) => this.logger.error(`cannot write the event log ${file}: ${error.message}`));
    } catch (error) {
      throw new StartupError(
        `[eventlog] path ${file} cannot be opened for appending (${(error as NodeJS.ErrnoException).code}). Fix the path or its directory's permissions, or set path = "".`,
      );
    }
    this.logger.log(`state changes are logged to ${file}`);
  }

  @OnPulseEvent('service.state-changed')
  onServiceStateChanged(event: ServiceStateChanged): void {
    this.write({
      ts: event.at,
      time: new Date(event.at).toISOString(),
      kind: 'service',
      name: event.name,
      from: event.from,
      to: event.to,
      reason: event.reason,
      last_beat: event.lastBeat,
      timeout: event.timeoutMs,
      in_alarms: event.alarms,
    });
  }

  @OnPulseEvent('alarm.state-changed')
  onAlarmStateChanged(event: AlarmStateChanged): void {
    this.write({
      ts: event.at,
      time: new Date(event.at).toISOString(),
      kind: 'alarm',
      name: event.name,
      from: event.from,
      to: event.to,
      incident_number: event.incidentNbr,
      failed_services: event.failedServices,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const stream = this.stream;
    this.stream = null;
    if (stream) await new Promise<void>((resolve) => stream.end(() => resolve()));
  }

  private write(entry: Record<string, unknown>): void {
    this.stream?.write(`${JSON.stringify(entry)}\n`);
  }
}
