import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { appendFileSync, createWriteStream, existsSync, fchmodSync, mkdirSync, openSync, type WriteStream } from 'node:fs';
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
 * A line is written once the save that carries its change has committed, in the order the changes were
 * decided; a change that is not written (several servers: this server lost the lease before its save,
 * and the server that took over decides it again and logs it) gets no line, so each change is logged once.
 */
@Injectable()
export class EventlogService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Eventlog');
  private stream: WriteStream | null = null;
  private file: string | null = null;
  /** Lines wait here for their change's save, one after another (decision order). */
  private queue: Promise<void> = Promise.resolve();
  /** Lines whose save commits while the stream is closing, and after it closed (a clean stop saves last). */
  private afterClose: string[] | null = null;

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
    this.file = file;
    this.logger.log(`state changes are logged to ${file}`);
  }

  @OnPulseEvent('service.state-changed')
  onServiceStateChanged(event: ServiceStateChanged): void {
    this.writeOnceSaved(event.written, {
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
    this.writeOnceSaved(event.written, {
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
    if (!stream) return;
    this.stream = null;
    this.afterClose = [];
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    // The heartbeat and alarm saves may commit after this hook ran (shutdown hooks run module by module).
    const late = this.afterClose;
    this.afterClose = null;
    if (late.length > 0) this.append(late.join(''));
  }

  private writeOnceSaved(written: Promise<boolean>, entry: Record<string, unknown>): void {
    if (this.file === null) return;
    const line = `${JSON.stringify(entry)}\n`;
    this.queue = this.queue.then(async () => {
      if (await written) this.write(line);
    });
  }

  private write(line: string): void {
    if (this.stream) this.stream.write(line);
    else if (this.afterClose) this.afterClose.push(line);
    else this.append(line);
  }

  private append(lines: string): void {
    try {
      appendFileSync(this.file!, lines);
    } catch (error) {
      this.logger.error(`cannot write the event log ${this.file}: ${(error as Error).message}`);
    }
  }
}
