import { Injectable } from '@nestjs/common';

/**
 * The hook for maintenance windows (SPEC §7, the alerts issue): while `covers` is true a service shows
 * `maintenance`, raises no alarm and has no deadline; when a window ends, the alerts issue calls
 * `HeartbeatEngine.restartDeadlines(names, endedAt)` so deadlines count from the window's end.
 * Until then no service is ever covered.
 */
@Injectable()
export class HeartbeatMaintenance {
  covers(_serviceName: string, _now: number): boolean {
    return false;
  }
}
